import { expect, test } from "bun:test";
import { createAddressPolicy, isBlockedAddress, pinned, RefusedTarget } from "./address-policy";

test("loopback, private, link-local, CGNAT, metadata, unspecified and multicast addresses are blocked; public ones are not", () => {
  for (const a of [
    "127.0.0.1",
    "127.8.9.1",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "::",
    "fd00:ec2::254",
    "fc00::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
  ])
    expect(isBlockedAddress(a), a).toBe(true);
  for (const a of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])
    expect(isBlockedAddress(a), a).toBe(false);
});

test("a host is judged by every address it resolves to; an allow-listed host is not resolved", async () => {
  const resolved: string[] = [];
  const resolve = async (host: string) => {
    resolved.push(host);
    return host === "mixed.example"
      ? ["93.184.216.34", "10.0.0.5"]
      : host === "public.example"
        ? ["93.184.216.34"]
        : [];
  };
  const check = createAddressPolicy(["localhost", "127.0.0.1"], resolve);
  expect(await check(new URL("https://public.example/hook"))).toBe("93.184.216.34");
  await expect(check(new URL("https://mixed.example/hook"))).rejects.toThrow(/10\.0\.0\.5/);
  await expect(check(new URL("https://nothing.example/hook"))).rejects.toBeInstanceOf(RefusedTarget);
  await expect(check(new URL("http://169.254.169.254/latest/meta-data"))).rejects.toThrow(/DELIVERY_ALLOWED_HOSTS/);
  await expect(check(new URL("http://[fd00:ec2::254]/"))).rejects.toBeInstanceOf(RefusedTarget);
  expect(await check(new URL("http://localhost:8080/"))).toBeUndefined();
  expect(await check(new URL("http://127.0.0.1:8080/"))).toBeUndefined();
  expect(resolved).toEqual(["public.example", "mixed.example", "nothing.example"]);
});

test("a name that does not resolve is refused, naming the error", async () => {
  const check = createAddressPolicy([], async () => {
    throw Object.assign(new Error("nope"), { code: "ENOTFOUND" });
  });
  await expect(check(new URL("https://gone.example/"))).rejects.toThrow(/ENOTFOUND/);
});

test("an allow-listed IP also allows a name that resolves to it; the request is pinned to the checked address", async () => {
  const check = createAddressPolicy(["127.0.0.1"], async (host) =>
    host === "hooks.test" ? ["127.0.0.1"] : ["10.0.0.9"],
  );
  expect(await check(new URL("http://hooks.test:9000/in"))).toBe("127.0.0.1");
  await expect(check(new URL("http://other.test/"))).rejects.toBeInstanceOf(RefusedTarget);
  expect(pinned(new URL("https://hooks.test:9000/in?x=1"), "93.184.216.34")).toEqual({
    url: new URL("https://93.184.216.34:9000/in?x=1"),
    host: "hooks.test:9000",
    serverName: "hooks.test",
  });
  expect(pinned(new URL("http://hooks.test/in"), "2606:4700::1111").url.href).toBe("http://[2606:4700::1111]/in");
  expect(pinned(new URL("http://hooks.test/in"), undefined)).toEqual({ url: new URL("http://hooks.test/in") });
});
