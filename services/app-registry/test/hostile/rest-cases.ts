/** Hostile REST requests: paths, query strings, headers, bodies; anonymous unless they say otherwise. */
import { expect } from "bun:test";
import type { Hostile } from "./context";
import { ADMIN_TOKEN } from "./context";

const JSON_TYPE = { "content-type": "application/json" };
const ADMIN = { ...JSON_TYPE, authorization: `Bearer ${ADMIN_TOKEN}` };

/** Strings that have broken parsers, databases and terminals. */
export const NASTY = [
  "\u0000",
  "a\u0000b",
  "%00",
  "\u202eevil",
  "\u200b",
  "\u3164",
  "\ud800",
  "\u001b[31m",
  "x".repeat(10_000),
  "' or 1=1 --",
  '"; drop table applications; --',
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "${jndi:ldap://x}",
  "{{7*7}}",
  "%s%s%s%n",
  "\r\nSet-Cookie: a=b",
  "😀".repeat(60),
];

export async function restCases(h: Hostile) {
  const { reg, app } = h;
  const send = async (
    what: string,
    path: string,
    init: RequestInit & { headers?: Record<string, string> } = {},
    anonymous = true,
  ) => {
    let res: Response;
    try {
      res = await fetch(reg.httpUrl + path, init);
    } catch (e) {
      // The client refused to send it (an invalid header value, say): nothing reached the server.
      return;
    }
    const body = await res.text();
    h.record({
      what: `REST ${init.method ?? "GET"} ${what}`,
      status: res.status,
      text: `${[...res.headers].join("\n")}\n${body}`,
      anonymous,
    });
    return { status: res.status, body };
  };
  // A lone surrogate has no UTF-8 form: sent as the bytes of one (which are not UTF-8 either).
  const enc = (v: string) => (v.isWellFormed() ? encodeURIComponent(v) : "%ED%A0%80");

  // Query strings: every filter with every nasty value, raw bytes that are not UTF-8, repeats and extremes.
  for (const v of NASTY)
    for (const key of ["category", "status", "device_type"])
      await send(`?${key}=nasty`, `/api/applications?${key}=${enc(v)}`);
  for (const q of [
    "category=%FF",
    "category=%C0%80",
    "category=%ED%A0%80",
    "category=%",
    "category=a&category=b",
    "limit=1e309",
    "limit=-0",
    "offset=99999999999999999999999",
    "limit=%00",
    "__proto__[x]=1",
    "constructor=1&limit=1",
  ])
    await send(`?${q}`, `/api/applications?${q}`);
  const nul = await send("category=%00", "/api/applications?category=%00");
  expect(nul?.status).toBe(400);
  expect(JSON.parse(nul!.body).details).toHaveProperty("category");

  // Ids and path parameters: 404 or 400 before any query, never a database error.
  for (const id of [
    ...NASTY,
    app.id.toUpperCase(),
    `${app.id}\u0000`,
    `${app.id}/..`,
    "00000000-0000-0000-0000-00000000000g",
  ]) {
    const got = await send("id nasty", `/api/applications/${enc(id)}`);
    expect([id.slice(0, 40), got?.status]).toEqual([id.slice(0, 40), 404]);
    await send("by-device-type nasty", `/api/applications/by-device-type/${enc(id)}`);
  }
  for (const path of [
    "/api/applications/%2e%2e/%2e%2e/etc/passwd",
    "//api//applications",
    `/api/applications/${"a/".repeat(2000)}`,
    "/openapi/ui/__proto__",
    "/openapi/ui/constructor",
    "/api/%ff",
  ])
    await send(`path ${path.slice(0, 40)}`, path);

  // Bodies of the one anonymous POST (a read): wrong shapes, deep nesting, prototype keys, oversize.
  const bodies = [
    "",
    "{",
    "null",
    "[]",
    '"x"',
    "1e400",
    '{"device_types": null}',
    '{"device_types": [null]}',
    `{"device_types": ${JSON.stringify(NASTY)}}`,
    '{"__proto__": {"device_types": ["smart_meter"]}}',
    '{"constructor": {"prototype": {"x": 1}}}',
    `${"[".repeat(5000)}${"]".repeat(5000)}`,
    JSON.stringify({ device_types: Array.from({ length: 5000 }, (_, i) => `t${i}`) }),
    JSON.stringify({ device_types: ["smart_meter"], pad: "p".repeat(70_000) }),
  ];
  for (const body of bodies)
    await send(`by-device-types ${body.slice(0, 30)}`, "/api/applications/by-device-types", {
      method: "POST",
      headers: JSON_TYPE,
      body,
    });

  // Anonymous writes, every way: no token, wrong tokens, tokens where they do not belong, simple-request types.
  const write = [
    [
      "POST",
      "/api/applications",
      JSON.stringify({ name: "ANON register", version: "1", developer: "d", contact_email: "x@y.co" }),
    ],
    ["PUT", `/api/applications/${app.id}`, '{"version":"6.6.6"}'],
    ["DELETE", `/api/applications/${app.id}`, undefined],
    ["POST", `/api/applications/${app.id}/regenerate-key`, undefined],
  ] as const;
  const credentials: Record<string, string>[] = [
    {},
    { authorization: "Bearer " },
    { authorization: "Bearer wrong" },
    { authorization: `Bearer ${ADMIN_TOKEN}x` },
    { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` },
    { authorization: `bearer ${"a".repeat(8000)}` },
    { cookie: `token=${ADMIN_TOKEN}` },
    { "x-admin-token": ADMIN_TOKEN },
  ];
  for (const [method, path, body] of write) {
    for (const c of credentials) {
      const got = await send(
        `${path.slice(0, 30)} ${Object.keys(c)}`,
        path,
        { method, headers: { ...JSON_TYPE, ...c }, body },
        !c.authorization?.includes(ADMIN_TOKEN),
      );
      expect([401, 403]).toContain(got?.status ?? 0);
    }
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=z", ""])
      expect(
        (
          await send(`${path.slice(0, 30)} as ${type}`, path, {
            method,
            headers: type ? { "content-type": type } : {},
            body,
          })
        )?.status,
      ).toBe(415);
    await send(
      `${path.slice(0, 30)} via ?token`,
      `${path}?token=${ADMIN_TOKEN}`,
      { method, headers: JSON_TYPE, body },
      false,
    );
    await send(
      `${path.slice(0, 30)} foreign Host`,
      path,
      { method, headers: { ...ADMIN, host: "evil.example" }, body },
      false,
    );
  }

  // The admin's own hostile writes: 4xx naming the field, never a 500.
  for (const v of NASTY.slice(0, 9)) {
    for (const field of ["name", "developer", "category", "version", "contact_email"]) {
      const got = await send(
        `admin register ${field}`,
        "/api/applications",
        {
          method: "POST",
          headers: ADMIN,
          body: JSON.stringify({
            name: `Admin ${crypto.randomUUID()}`,
            version: "1",
            developer: "d",
            contact_email: "a@b.co",
            [field]: v,
          }),
        },
        false,
      );
      if (got?.status === 400) expect(JSON.parse(got.body).details).toHaveProperty(field);
    }
  }
  for (const body of [
    '{"name": {"toString": 1}}',
    '{"__proto__": {"status": "active"}}',
    '{"devicetypes": "smart_meter"}',
    '{"status": "active\\u0000"}',
    "[]",
  ])
    expect(
      (
        await send(
          `admin PUT ${body.slice(0, 20)}`,
          `/api/applications/${app.id}`,
          { method: "PUT", headers: ADMIN, body },
          false,
        )
      )?.status,
    ).toBe(400);
}
