import { expect, test } from "bun:test";
import { cheapHash, testAccess } from "../../test/access";
import { createCallerOf } from "./caller";
import { parseOperators } from "./operators";

const callerOf = createCallerOf(["10.0.0.5"]);
const req = (headers: Record<string, string> = {}) => new Request("http://localhost/", { headers });

test("a proxy's user header counts only from a trusted proxy, and only a plausible name", () => {
  const { access } = testAccess({ proxyHeader: "X-Forwarded-User", trustedProxies: ["10.0.0.5"] });
  const from = (peer: string, user: string) => {
    const r = req({ "x-forwarded-user": user });
    return access.operatorOf(r, callerOf(r, peer));
  };
  expect(from("10.0.0.5", "alice@example.com")).toEqual({ name: "alice@example.com", via: "proxy" });
  expect(from("203.0.113.9", "alice@example.com")).toBeUndefined();
  expect(from("10.0.0.5", "<script>")).toBeUndefined();
  expect(from("10.0.0.5", "")).toBeUndefined();
});

test("loopback callers are operators only when that is switched on", () => {
  const r = req();
  expect(testAccess({ loopbackOperator: true }).access.operatorOf(r, callerOf(r, "127.0.0.1"))).toEqual({
    name: "local operator",
    via: "loopback",
  });
  expect(testAccess({ loopbackOperator: true }).access.operatorOf(r, callerOf(r, "192.0.2.1"))).toBeUndefined();
  expect(testAccess().access.operatorOf(r, callerOf(r, "127.0.0.1"))).toBeUndefined();
});

test("login: a session cookie that is HttpOnly, SameSite=Strict, Secure over HTTPS; logout ends it", async () => {
  const { access } = testAccess({
    operators: parseOperators(`alice:${await cheapHash("open sesame")}`),
    trustedProxies: ["10.0.0.5"],
  });
  const plain = callerOf(req(), "192.0.2.1");
  const ok = await access.login("alice", "open sesame", plain);
  if (ok.kind !== "ok") throw new Error(ok.kind);
  expect(ok.cookie).toMatch(/^dashboard_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=3600; HttpOnly; SameSite=Strict$/);
  const withCookie = req({ cookie: ok.cookie.split(";")[0]! });
  expect(access.operatorOf(withCookie, plain)).toEqual({ name: "alice", via: "session" });
  expect(access.logout(withCookie, plain)).toContain("Max-Age=0");
  expect(access.operatorOf(withCookie, plain)).toBeUndefined();

  const behindTls = req({ "x-forwarded-proto": "https" });
  const secure = await access.login("alice", "open sesame", callerOf(behindTls, "10.0.0.5"));
  expect(secure.kind === "ok" && secure.cookie.includes("; Secure")).toBe(true);
});

test("failed logins are limited per address; without operators there is no login at all", async () => {
  const { access } = testAccess({ operators: parseOperators(`alice:${await cheapHash("open sesame")}`) });
  const attacker = callerOf(req(), "203.0.113.9");
  for (let i = 0; i < 5; i++) expect((await access.login("alice", `guess ${i}`, attacker)).kind).toBe("refused");
  expect(await access.login("alice", "open sesame", attacker)).toMatchObject({ kind: "limited" });
  expect((await access.login("alice", "open sesame", callerOf(req(), "192.0.2.1"))).kind).toBe("ok");
  expect((await testAccess().access.login("alice", "open sesame", attacker)).kind).toBe("disabled");
});
