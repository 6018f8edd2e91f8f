/**
 * The gRPC fast path of ListApplicationsByDeviceType (src/rpc/fast-path.ts) against Connect itself:
 * the running registry and a plain connect-node server over the same registry get the same raw
 * HTTP/2 requests, and must give the same answers (status, headers, message bytes, trailers),
 * valid or not. Then: its answers follow every write at once, and it leaves to Connect what it
 * must not answer.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import type { ClientHttp2Session, Http2Server, ServerHttp2Stream } from "node:http2";
import { connect, createServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createContextValues } from "@connectrpc/connect";
import { compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";
import type { UniversalHandler, UniversalServerRequest } from "@connectrpc/connect/protocol";
import {
  ApplicationRegistryService,
  ListApplicationsByDeviceTypeRequestSchema,
  ListApplicationsByDeviceTypeResponseSchema,
} from "@gen/iot/registry/v1/registry_pb";
import { createLogger } from "@iot/common/logger";
import { createAdminCheck } from "../src/auth";
import { callerIsAdmin } from "../src/rpc/caller";
import { errorInterceptor } from "../src/rpc/errors";
import { createFastPath } from "../src/rpc/fast-path";
import { registryService } from "../src/rpc/registry-service";
import type { Registry } from "../src/registry";
import type { TestRegistry } from "./support/registry";
import { registration, startTestRegistry } from "./support/registry";
import type { RawReply } from "./support/rpc-clients";
import { grpcFrame, grpcStatusOf, rawCall } from "./support/rpc-clients";

const TOKEN = "fast-path-admin-token-0123456789abcdef";
const PATH = `/${ApplicationRegistryService.typeName}/${ApplicationRegistryService.method.listApplicationsByDeviceType.name}`;
const GRPC = { "content-type": "application/grpc", te: "trailers" };
const request = (deviceType: string) =>
  toBinary(
    ListApplicationsByDeviceTypeRequestSchema,
    create(ListApplicationsByDeviceTypeRequestSchema, { deviceType }),
  );
const namesIn = (r: RawReply) =>
  fromBinary(ListApplicationsByDeviceTypeResponseSchema, r.body.subarray(5)).applications.map((a) => a.name);

/** Registers an application through REST as the admin; returns its id and name. */
async function register(httpUrl: string, devicetypes: string[]) {
  const body = registration({ devicetypes });
  const res = await fetch(`${httpUrl}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  const { application } = (await res.json()) as { application: { id: string } };
  return { id: application.id, name: body.name };
}

/** Connect as the registry configures it for this method, without the fast path in front. */
async function startPlainConnect(registry: Registry): Promise<{ server: Http2Server; url: string }> {
  const isAdmin = createAdminCheck(TOKEN);
  const server = createServer();
  server.on(
    "request",
    connectNodeAdapter({
      routes: registryService(registry),
      interceptors: [errorInterceptor(createLogger("reference", { level: "error", write: () => {} }), () => {})],
      readMaxBytes: 64 * 1024,
      contextValues: (req) =>
        createContextValues().set(
          callerIsAdmin,
          isAdmin({ authorization: req.headers.authorization, remoteAddress: req.socket.remoteAddress }),
        ),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** What a client can tell apart: everything but the Date header. */
const seen = ({ headers: { date: _, ...headers }, ...rest }: RawReply) => ({
  ...rest,
  headers,
  body: rest.body.toString("hex"),
});

describe("gRPC ListApplicationsByDeviceType: the fast path answers as Connect does", () => {
  let reg: TestRegistry;
  let plain: { server: Http2Server; url: string };
  let fast: ClientHttp2Session;
  let reference: ClientHttp2Session;
  beforeAll(async () => {
    reg = await startTestRegistry("sqlite", { adminToken: TOKEN });
    plain = await startPlainConnect(reg.registry);
    await register(reg.httpUrl, ["smart_breaker"]);
    await register(reg.httpUrl, ["smart_breaker", "smart_meter"]);
    // Memory holds nothing before the first read: the fast path leaves that call to Connect, which loads.
    await reg.registry.activeByDeviceType("smart_breaker");
    fast = connect(reg.rpcUrl);
    reference = connect(plain.url);
  });
  afterAll(async () => {
    fast?.close();
    reference?.close();
    plain?.server.close();
    await reg?.close();
  });

  const oversized = new Uint8Array(70_000 + 5);
  new DataView(oversized.buffer).setUint32(1, 70_000);
  const gzipped = (() => {
    const message = gzipSync(request("smart_breaker"));
    const frame = grpcFrame(message);
    frame[0] = 1;
    return frame;
  })();
  const cases: Array<[string, Record<string, string>, Uint8Array | string]> = [
    ["application/grpc", GRPC, grpcFrame(request("smart_breaker"))],
    [
      "application/grpc+proto",
      { ...GRPC, "content-type": "application/grpc+proto" },
      grpcFrame(request("smart_breaker")),
    ],
    ["as an admin: contact e-mails", { ...GRPC, authorization: `Bearer ${TOKEN}` }, grpcFrame(request("smart_meter"))],
    ["a type nobody registered", GRPC, grpcFrame(request("no_such_type"))],
    [
      "gzip accepted (answer too small to compress)",
      { ...GRPC, "grpc-accept-encoding": "gzip" },
      grpcFrame(request("smart_breaker")),
    ],
    [
      "grpc-js's headers",
      { ...GRPC, "grpc-accept-encoding": "identity,deflate,gzip", "accept-encoding": "identity" },
      grpcFrame(request("smart_breaker")),
    ],
    ["a deadline", { ...GRPC, "grpc-timeout": "5S" }, grpcFrame(request("smart_breaker"))],
    ["a deadline of 0", { ...GRPC, "grpc-timeout": "0n" }, grpcFrame(request("smart_breaker"))],
    ["a bad deadline", { ...GRPC, "grpc-timeout": "soon" }, grpcFrame(request("smart_breaker"))],
    ["a gzip-compressed request", { ...GRPC, "grpc-encoding": "gzip" }, gzipped],
    ["an unknown request encoding", { ...GRPC, "grpc-encoding": "lz77" }, grpcFrame(request("smart_breaker"))],
    ["an invalid device type", GRPC, grpcFrame(request("%"))],
    ["not protobuf", GRPC, grpcFrame(new Uint8Array([0xff, 0xff, 0xff]))],
    ["a truncated frame", GRPC, grpcFrame(request("smart_breaker")).subarray(0, 9)],
    [
      "two messages",
      GRPC,
      new Uint8Array([...grpcFrame(request("smart_breaker")), ...grpcFrame(request("smart_meter"))]),
    ],
    ["no message", GRPC, ""],
    ["compressed flag without an encoding", GRPC, gzipped],
    ["a message over the size limit", GRPC, oversized],
  ];
  for (const [name, headers, body] of cases) {
    test(name, async () => {
      const [mine, connects] = await Promise.all([
        rawCall(fast, { path: PATH, headers, body }),
        rawCall(reference, { path: PATH, headers, body }),
      ]);
      expect(seen(mine)).toEqual(seen(connects));
    });
  }

  test("callers see the view they may see: contact e-mails for admins only", async () => {
    const publicView = await rawCall(fast, { path: PATH, headers: GRPC, body: grpcFrame(request("smart_meter")) });
    const adminView = await rawCall(fast, {
      path: PATH,
      headers: { ...GRPC, authorization: `Bearer ${TOKEN}` },
      body: grpcFrame(request("smart_meter")),
    });
    expect(grpcStatusOf(publicView)).toBe(0);
    const decode = (r: RawReply) => fromBinary(ListApplicationsByDeviceTypeResponseSchema, r.body.subarray(5));
    expect(decode(publicView).applications.map((a) => a.contactEmail)).toEqual([""]);
    expect(decode(adminView).applications.map((a) => a.contactEmail)).toEqual(["dev@example.com"]);
  });

  test("every write shows in the next answer (no stale cached bytes)", async () => {
    const call = () => rawCall(fast, { path: PATH, headers: GRPC, body: grpcFrame(request("environmental_sensor")) });
    const before = namesIn(await call());
    const { id, name } = await register(reg.httpUrl, ["environmental_sensor"]);
    expect(namesIn(await call())).toEqual([...before, name]);
    const deleted = await fetch(`${reg.httpUrl}/api/applications/${id}`, {
      method: "DELETE",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    });
    expect(deleted.status).toBe(200);
    expect(namesIn(await call())).toEqual(before);
  });

  test("the host check still refuses a foreign :authority, as Connect's request gate does", async () => {
    const r = await rawCall(fast, {
      path: PATH,
      headers: { ...GRPC, ":authority": "evil.example" },
      body: grpcFrame(request("smart_breaker")),
    });
    expect(grpcStatusOf(r)).toBe(7); // PERMISSION_DENIED
    expect(decodeURIComponent(String(r.trailers["grpc-message"]))).toContain("Host not allowed");
  });

  test("calls are counted in app_registry_rpc_requests_total as Connect's are", async () => {
    const count = async () => {
      const text = await (await fetch(`${reg.httpUrl}/metrics`)).text();
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("app_registry_rpc_requests_total") &&
            l.includes('procedure="ListApplicationsByDeviceType"') &&
            l.includes('code="OK"'),
        );
      return Number(line?.split(" ").pop() ?? 0);
    };
    const before = await count();
    await rawCall(fast, { path: PATH, headers: GRPC, body: grpcFrame(request("smart_breaker")) });
    expect(await count()).toBe(before + 1);
  });
});

describe("what the fast path takes, and what it leaves to Connect", () => {
  let reg: TestRegistry;
  let server: Http2Server;
  let session: ClientHttp2Session;
  /** Requests that reached "Connect" (a stand-in that answers UNIMPLEMENTED), with the body bytes it read. */
  const handedOff: string[] = [];
  beforeAll(async () => {
    reg = await startTestRegistry("sqlite");
    await register(reg.httpUrl, ["smart_breaker"]);
    await reg.registry.activeByDeviceType("smart_breaker"); // loads the read model, as above
    const standIn = Object.assign(
      async (req: UniversalServerRequest) => {
        let bytes = 0;
        for await (const chunk of req.body as AsyncIterable<Uint8Array>) bytes += chunk.length;
        handedOff.push(`${req.header.get("x-case")}: ${bytes}`);
        return { status: 200, header: new Headers(GRPC), trailer: new Headers({ "grpc-status": "12" }) };
      },
      { requestPath: PATH },
    ) as unknown as UniversalHandler;
    const take = createFastPath({
      registry: reg.registry,
      connect: standIn,
      callerOf: () => ({ peer: "127.0.0.1", hostAllowed: true, withinSessionCap: true, admin: false }),
      acceptCompression: [compressionGzip],
      compressMinBytes: 1024,
      readMaxBytes: 64 * 1024,
      countOk: () => {},
    });
    server = createServer();
    server.on("stream", (stream: ServerHttp2Stream, headers) => {
      if (!take(stream, headers)) stream.respond({ ":status": 404 }, { endStream: true });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    session?.close();
    server?.close();
    await reg?.close();
  });

  test("a plain valid call is answered from memory; Connect never sees it", async () => {
    const r = await rawCall(session, {
      path: PATH,
      headers: { ...GRPC, "x-case": "valid" },
      body: grpcFrame(request("smart_breaker")),
    });
    expect(grpcStatusOf(r)).toBe(0);
    expect(namesIn(r)).toHaveLength(1);
    expect(handedOff).toEqual([]);
  });

  test("anything it cannot answer exactly goes to Connect, the body intact", async () => {
    const cases: Array<[string, Record<string, string>, Uint8Array]> = [
      ["invalid type", GRPC, grpcFrame(request("%"))],
      ["deadline 0", { ...GRPC, "grpc-timeout": "0n" }, grpcFrame(request("smart_breaker"))],
      ["gzip request", { ...GRPC, "grpc-encoding": "gzip" }, grpcFrame(request("smart_breaker"))],
      ["oversized", GRPC, new Uint8Array(200_000)],
    ];
    for (const [name, headers, body] of cases) {
      const r = await rawCall(session, { path: PATH, headers: { ...headers, "x-case": name }, body });
      expect(grpcStatusOf(r)).toBe(12);
    }
    expect(handedOff).toEqual(cases.map(([name, , body]) => `${name}: ${body.length}`));
  });

  test("other paths, methods and content types are not its to take", async () => {
    const other = await rawCall(session, {
      path: `${PATH}s`,
      headers: GRPC,
      body: grpcFrame(request("smart_breaker")),
    });
    const json = await rawCall(session, {
      path: PATH,
      headers: { ...GRPC, "content-type": "application/grpc+json" },
      body: grpcFrame(new TextEncoder().encode('{"deviceType":"smart_breaker"}')),
    });
    const connectProtocol = await rawCall(session, {
      path: PATH,
      headers: { "content-type": "application/proto" },
      body: request("smart_breaker"),
    });
    expect([other.status, json.status, connectProtocol.status]).toEqual([404, 404, 404]);
  });
});
