/** Hostile RPC requests over h2c: each protocol's clients, then raw frames no client library would send. */
import { expect } from "bun:test";
import { connect } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ApplicationRegistryService,
  GetApplicationRequestSchema,
  ListApplicationsRequestSchema,
} from "@gen/iot/registry/v1/registry_pb";
import { connectClients, grpcFrame, grpcStatusOf, rawCall } from "../support/rpc-clients";
import type { Hostile } from "./context";
import { ADMIN_TOKEN } from "./context";
import { NASTY } from "./rest-cases";

const SERVICE = `/${ApplicationRegistryService.typeName}`;

export async function rpcCases(h: Hostile) {
  const { reg, app } = h;
  const clients = connectClients(reg.rpcUrl);
  const text = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? String(x) : x));
  const call = async (what: string, run: () => Promise<unknown>, anonymous = true) => {
    try {
      const res = await run();
      h.record({ what: `RPC ${what}`, status: 200, code: "OK", text: text(res), anonymous });
      return "OK";
    } catch (e) {
      const ce = ConnectError.from(e);
      h.record({
        what: `RPC ${what}`,
        status: 200,
        code: Code[ce.code],
        text: `${ce.message} ${text(ce.metadata)}`,
        anonymous,
      });
      return Code[ce.code];
    }
  };

  // Every protocol, every read, with every nasty string where a string goes.
  for (const [name, client] of Object.entries(clients)) {
    for (const v of NASTY) {
      expect(await call(`${name} get ${v.slice(0, 12)}`, () => client.getApplication({ id: v }))).toBe("NotFound");
      await call(`${name} list category`, () => client.listApplications({ category: v }));
      await call(`${name} by type`, () => client.listApplicationsByDeviceType({ deviceType: v }));
    }
    expect(await call(`${name} list NUL`, () => client.listApplications({ category: "\u0000" }))).toBe(
      "InvalidArgument",
    );
    await call(`${name} by types`, () => client.listApplicationsByDeviceTypes({ deviceTypes: NASTY }));
    for (const [limit, offset] of [
      [2147483647, 2147483647],
      [-2147483648, -1],
      [0, 0],
    ])
      await call(`${name} list ${limit}/${offset}`, () => client.listApplications({ limit, offset }));
  }

  // Anonymous and wrongly authenticated writes.
  const { connect: c, grpc: g } = clients;
  const registration = { name: "ANON rpc", developer: "d", version: "1", contactEmail: "x@y.co" };
  for (const headers of <Record<string, string>[]>[
    {},
    { authorization: "Bearer nope" },
    { authorization: `Bearer ${ADMIN_TOKEN} ` + "x" },
    { "grpc-metadata-authorization": ADMIN_TOKEN },
  ]) {
    for (const [what, run] of [
      ["register", () => g.registerApplication(registration, { headers })],
      ["update", () => c.updateApplication({ id: app.id, version: "6.6.6" }, { headers })],
      ["delete", () => g.deleteApplication({ id: app.id }, { headers })],
      ["regenerate", () => c.regenerateApiKey({ id: app.id }, { headers })],
    ] as const)
      expect(["Unauthenticated", "PermissionDenied"]).toContain(await call(`anonymous ${what}`, run));
  }
  // The admin's hostile writes: InvalidArgument naming the field (or NotFound for ids).
  // (A lone surrogate reaches the server as U+FFFD, which protobuf's UTF-8 encoding puts in its
  // place: a valid name. So the admin's updates go to an application of their own.)
  const admin = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
  const target = (await c.registerApplication({ ...registration, name: `Target ${crypto.randomUUID()}` }, admin))
    .application!.id;
  for (const v of NASTY.slice(0, 9)) {
    await call("admin register name", () => c.registerApplication({ ...registration, name: v }, admin), false);
    await call("admin update developer", () => g.updateApplication({ id: target, developer: v }, admin), false);
    expect(await call("admin delete nasty id", () => g.deleteApplication({ id: v }, admin), false)).toBe("NotFound");
  }

  // Raw h2c: what no client library sends.
  const session = connect(reg.rpcUrl);
  try {
    const raw = async (what: string, path: string, body: string | Uint8Array, headers: Record<string, string>) => {
      const r = await rawCall(session, { path, body, headers });
      const grpc = grpcStatusOf(r);
      const message = decodeURIComponent(String(r.trailers["grpc-message"] ?? r.headers["grpc-message"] ?? ""));
      // Bytes that are no protobuf message (or compressed without saying how) are Internal over
      // gRPC, as grpc-go and grpc-java answer them (decode-failures.ts): the client's fault, named so.
      const undecodable = grpc === Code.Internal && /^(parse binary|received compressed envelope)/.test(message);
      const code = Number.isNaN(grpc) ? undefined : undecodable ? "undecodable request" : Code[grpc];
      h.record({
        what: `RPC raw ${what}`,
        status: r.status ?? 0,
        code,
        text: `${text(r.headers)} ${r.body} ${text(r.trailers)}`,
        anonymous: true,
      });
      return r;
    };
    const list = `${SERVICE}/ListApplications`;
    const get = toBinary(GetApplicationRequestSchema, create(GetApplicationRequestSchema, { id: "\u0000" }));
    const frames: [string, Uint8Array][] = [
      ["empty", new Uint8Array()],
      ["truncated header", new Uint8Array([0, 0, 0])],
      ["length beyond the body", new Uint8Array([0, 0, 0, 0, 50, 1, 2])],
      ["2 GiB length", new Uint8Array([0, 0x7f, 0xff, 0xff, 0xff])],
      ["compressed, no encoding", new Uint8Array([1, 0, 0, 0, 1, 0])],
      ["not protobuf", grpcFrame(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))],
      ["wrong message type", grpcFrame(get)],
      ["two messages for unary", new Uint8Array([...grpcFrame(new Uint8Array()), ...grpcFrame(new Uint8Array())])],
      [
        "valid",
        grpcFrame(toBinary(ListApplicationsRequestSchema, create(ListApplicationsRequestSchema, { limit: 1 }))),
      ],
    ];
    for (const [what, frame] of frames) {
      for (const type of ["application/grpc", "application/grpc+proto", "application/grpc-web+proto"])
        await raw(`${type} ${what}`, list, frame, { "content-type": type, te: "trailers" });
    }
    for (const [what, bytes] of [
      ["garbage", new Uint8Array([0xff, 0xff, 0xff])],
      ["wrong message", get],
      ["empty", new Uint8Array()],
    ] as const) {
      const unary = await raw(`connect proto ${what}`, list, bytes, { "content-type": "application/proto" });
      if (what !== "empty") expect([what, unary.status]).toEqual([what, 400]);
    }
    await raw("connect proto gzip garbage", list, new Uint8Array([1, 2, 3]), {
      "content-type": "application/proto",
      "content-encoding": "gzip",
    });
    await raw("gzip frame", list, new Uint8Array([1, 0, 0, 0, 3, 1, 2, 3]), {
      "content-type": "application/grpc",
      "grpc-encoding": "gzip",
    });
    for (const body of [
      "",
      "{",
      "[]",
      "null",
      '{"category": "\\u0000"}',
      '{"limit": "ten"}',
      '{"unknownField": 1}',
      '{"__proto__": {"limit": 1}}',
      `{"category": "${"c".repeat(70_000)}"}`,
    ])
      await raw(`connect json ${body.slice(0, 20)}`, list, body, { "content-type": "application/json" });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/grpc+json; charset=evil", ""])
      await raw(`content type ${type}`, list, "{}", type ? { "content-type": type } : {});
    for (const path of [
      `${SERVICE}/Nope`,
      "/",
      "/iot.registry.v1.Nope/ListApplications",
      `${SERVICE}/ListApplications/extra`,
      `${SERVICE}/WatchApplications`,
    ])
      await raw(`path ${path}`, path, "{}", { "content-type": "application/json" });
    await raw("foreign authority", list, "{}", { "content-type": "application/json", ":authority": "evil.example" });
    await raw("connect GET-style header", list, "{}", {
      "content-type": "application/json",
      "connect-protocol-version": "9",
    });
    await raw("huge timeout header", list, "{}", {
      "content-type": "application/json",
      "connect-timeout-ms": "99999999999999999999",
    });
    await raw("bad grpc-timeout", list, grpcFrame(new Uint8Array()), {
      "content-type": "application/grpc",
      "grpc-timeout": "-1S",
    });
  } finally {
    session.close();
  }
}
