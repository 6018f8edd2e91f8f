/**
 * Limits of the RPC port: Watch streams per client address and in total, concurrent requests per
 * HTTP/2 connection, idle and maximum connection age. Refusals must reach the client as errors it
 * can read (HTTP status and JSON, gRPC status), never as a reset stream.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ClientHttp2Session, ClientHttp2Stream } from "node:http2";
import { connect } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ApplicationRegistryService, WatchApplicationsRequestSchema } from "@gen/iot/registry/v1/registry_pb";
import type { TestRegistry } from "./support/registry";
import { externalAddress } from "@iot/common/testing-network";
import { registration, startTestRegistry } from "./support/registry";
import { connectClients, grpcFrame, grpcStatusOf, rawCall, until, within } from "./support/rpc-clients";

const SERVICE = `/${ApplicationRegistryService.typeName}`;
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e) => (e instanceof ConnectError ? Code[e.code] : String(e)),
  );

/** A Watch stream opened through connect-node's gRPC transport; resolves once its snapshot arrived. */
async function watch(rpcUrl: string) {
  const stop = new AbortController();
  const stream = connectClients(rpcUrl).grpc.watchApplications({}, { signal: stop.signal })[Symbol.asyncIterator]();
  const first = await within(2_000, stream.next(), "snapshot");
  return { first, stream, stop: () => stop.abort() };
}

/** A raw gRPC Watch request on `session`, left open; resolves once the server answered its headers. */
function rawWatch(session: ClientHttp2Session): Promise<ClientHttp2Stream> {
  const req = session.request({
    ":method": "POST",
    ":path": `${SERVICE}/WatchApplications`,
    "content-type": "application/grpc",
    te: "trailers",
  });
  req.end(grpcFrame(toBinary(WatchApplicationsRequestSchema, create(WatchApplicationsRequestSchema, {}))));
  return within(
    2_000,
    new Promise((resolve, reject) => (req.once("response", () => resolve(req)), req.once("error", reject))),
    "watch headers",
  );
}

const event = (emitter: { once(e: string, f: () => void): unknown }, name: string) =>
  new Promise<void>((resolve) => emitter.once(name, resolve));

describe("Watch caps", () => {
  let reg: TestRegistry;
  let host: string;
  beforeAll(async () => {
    host = externalAddress();
    reg = await startTestRegistry("sqlite", {
      bindHost: "0.0.0.0",
      allowedHosts: [host],
      watchStreamsPerClient: 2,
      watchStreamsMax: 3,
    });
  });
  afterAll(() => reg?.close());

  test("per client address, then in total: ResourceExhausted beyond; a closed stream frees its place", async () => {
    const remoteRpc = reg.rpcUrl.replace("127.0.0.1", host);
    const local = [await watch(reg.rpcUrl), await watch(reg.rpcUrl)];
    try {
      expect(local.map((w) => w.first.value.event.case)).toEqual(["snapshot", "snapshot"]);
      const third = connectClients(reg.rpcUrl).grpc.watchApplications({})[Symbol.asyncIterator]();
      const refused = await third.next().catch((e) => e);
      expect(refused).toBeInstanceOf(ConnectError);
      expect([Code[refused.code], refused.rawMessage]).toEqual([
        "ResourceExhausted",
        "at most 2 watch streams per client address",
      ]);
      // Another address still has room, up to the total of 3.
      const remote = await watch(remoteRpc);
      try {
        const over = await connectClients(remoteRpc)
          .connect.watchApplications({})
          [Symbol.asyncIterator]()
          .next()
          .catch((e) => e);
        expect([Code[over.code], over.rawMessage]).toEqual([
          "ResourceExhausted",
          "the registry serves 3 watch streams at most; retry later",
        ]);
      } finally {
        remote.stop();
      }
      // Unary calls are not Watch streams: unaffected.
      expect(await codeOf(connectClients(reg.rpcUrl).connect.listApplications({}))).toBe("OK");
    } finally {
      local[0]!.stop();
    }
    // The server notices a stream's end on its own; the freed place is then taken again.
    await within(
      2_000,
      until(() => reg.registry.watchStreams() === 1),
      "freed places",
    );
    const again = await watch(reg.rpcUrl);
    again.stop();
    local[1]!.stop();
  });
});

describe("connections", () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startTestRegistry("sqlite", {
      rpcStreamsPerSession: 2,
      rpcIdleTimeoutMs: 300,
      watchStreamsPerClient: 50,
    });
  });
  afterAll(() => reg?.close());

  test("a request beyond the per-connection cap gets 429 (Connect) or RESOURCE_EXHAUSTED (gRPC), not a reset", async () => {
    const session = connect(reg.rpcUrl);
    try {
      const open = [await rawWatch(session), await rawWatch(session)];
      const connectJson = await rawCall(session, {
        path: `${SERVICE}/ListApplications`,
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      expect(connectJson).toMatchObject({ status: 429, rstCode: 0 });
      expect(JSON.parse(connectJson.body.toString())).toEqual({
        code: "resource_exhausted",
        message: "too many concurrent requests on this connection",
      });
      const grpc = await rawCall(session, {
        path: `${SERVICE}/ListApplications`,
        body: grpcFrame(new Uint8Array()),
        headers: { "content-type": "application/grpc", te: "trailers" },
      });
      expect([grpc.status, grpcStatusOf(grpc), grpc.rstCode]).toEqual([200, Code.ResourceExhausted, 0]);
      // One ends: the connection has room again.
      open[0]!.close();
      await event(open[0]!, "close");
      const ok = await rawCall(session, {
        path: `${SERVICE}/ListApplications`,
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      expect(ok.status).toBe(200);
      open[1]!.close();
    } finally {
      session.close();
    }
  });

  test("a wrong content type is refused with 415 that reaches the client, even with a large body", async () => {
    const session = connect(reg.rpcUrl);
    try {
      const res = await rawCall(session, {
        path: `${SERVICE}/ListApplications`,
        body: new Uint8Array(1_000_000),
        headers: { "content-type": "text/plain" },
      });
      expect([res.status, res.rstCode]).toEqual([415, 0]);
    } finally {
      session.close();
    }
  });

  test("an idle connection is closed; one holding a quiet Watch stream is not", async () => {
    const watching = connect(reg.rpcUrl);
    const idle = connect(reg.rpcUrl);
    try {
      const stream = await rawWatch(watching);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      const ok = await rawCall(idle, {
        path: `${SERVICE}/ListApplications`,
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      expect(ok.status).toBe(200);
      // The server ends the idle connection by itself (GOAWAY, then close).
      await within(3_000, event(idle, "close"), "idle connection closed");
      expect(watching.closed || watching.destroyed).toBe(false);
      const seen = chunks.length;
      const name = registration().name;
      await fetch(`${reg.httpUrl}/api/applications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(registration({ name })),
      });
      await within(
        2_000,
        until(() => Buffer.concat(chunks.slice(seen)).includes(name)),
        "change on the watching connection",
      );
      stream.close();
    } finally {
      idle.close();
      watching.close();
    }
  });
});

describe("connection age", () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startTestRegistry("sqlite", { rpcSessionTimeoutMs: 300, rpcSessionDrainMs: 700 });
  });
  afterAll(() => reg?.close());

  test("an old connection gets GOAWAY; its Watch stream flows through the drain, then it is closed; a new one is served", async () => {
    const session = connect(reg.rpcUrl);
    const goaway = event(session, "goaway");
    const closed = event(session, "close");
    const stream = await rawWatch(session);
    stream.on("error", () => {});
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    await within(3_000, goaway, "GOAWAY");
    // During the drain the open Watch stream still delivers changes.
    const { name } = registration();
    await fetch(`${reg.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(registration({ name })),
    });
    await within(
      1_000,
      until(() => Buffer.concat(chunks).includes(name)),
      "change during the drain",
    );
    // It does not keep the connection alive past the drain.
    await within(5_000, closed, "connection closed");
    await within(
      1_000,
      until(() => reg.registry.watchStreams() === 0),
      "watch ended on the server",
    );
    expect(await codeOf(connectClients(reg.rpcUrl).grpc.listApplications({}))).toBe("OK");
  });
});
