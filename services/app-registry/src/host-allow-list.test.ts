import { expect, test } from "bun:test";
import { createHostAllowList, hostName } from "./host-allow-list";

test("a Host header's name: no port, lower case, IPv6 in brackets, no trailing dot", () => {
  expect(
    ["LocalHost:5002", "127.0.0.1", "[::1]:50051", "[::1]", "registry.example.:80", "Registry.Example"].map(hostName),
  ).toEqual(["localhost", "127.0.0.1", "[::1]", "[::1]", "registry.example", "registry.example"]);
});

test("loopback names always; configured names and bound addresses too; nothing else", () => {
  const hosts = createHostAllowList(["registry.internal", "10.1.2.3", "fd00::5"]);
  hosts.add("192.0.2.7");
  hosts.add("0.0.0.0");
  hosts.add("::");
  for (const h of [
    "localhost:5002",
    "127.0.0.1:5002",
    "[::1]:50051",
    "REGISTRY.internal:5002",
    "10.1.2.3",
    "[fd00::5]:50051",
    "192.0.2.7:5002",
  ])
    expect([h, hosts.allows(h)]).toEqual([h, true]);
  for (const h of [
    "evil.example",
    "evil.example:5002",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "0.0.0.0:5002",
    "[::]:5002",
    "127.0.0.2",
    "",
    null,
    undefined,
  ])
    expect([h, hosts.allows(h)]).toEqual([h, false]);
});
