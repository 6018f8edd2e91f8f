/** Clients for the RPC port: an independent gRPC stack (@grpc/grpc-js), connect-node, and buf curl. */
import type { DescService } from "@bufbuild/protobuf";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import * as grpc from "@grpc/grpc-js";
import type { ClientHttp2Session } from "node:http2";

export const BUF = `${import.meta.dir}/../../../../node_modules/.bin/buf`;

/**
 * A @grpc/grpc-js client: grpc-js's own HTTP/2 and gRPC framing; protobuf-es only encodes the
 * messages. Method names are the descriptor's local names (registerApplication, …).
 */
export function grpcJsClient(service: DescService, address: string, options: grpc.ChannelOptions = {}) {
  const definition: Record<string, grpc.MethodDefinition<any, any>> = {};
  for (const m of service.methods) {
    definition[m.localName] = {
      path: `/${service.typeName}/${m.name}`,
      requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      requestSerialize: (v: Record<string, unknown>) => Buffer.from(toBinary(m.input, create(m.input, v))),
      requestDeserialize: (b: Buffer) => fromBinary(m.input, b),
      responseSerialize: (v: any) => Buffer.from(toBinary(m.output, v)),
      responseDeserialize: (b: Buffer) => fromBinary(m.output, b),
    };
  }
  const Client = grpc.makeGenericClientConstructor(definition, service.name);
  const client = new Client(address, grpc.credentials.createInsecure(), options);
  return {
    unary: <T = any>(method: string, request: object, metadata = new grpc.Metadata()) =>
      new Promise<T>((resolve, reject) =>
        (client as unknown as Record<string, Function>)[method]!.call(
          client,
          request,
          metadata,
          (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res)),
        ),
      ),
    close: () => client.close(),
  };
}

/** The registry service over each of connect-node's three protocols, on HTTP/2. */
export function connectClients(baseUrl: string) {
  const opts = { baseUrl, httpVersion: "2" as const };
  return {
    connect: createClient(ApplicationRegistryService, createConnectTransport(opts)),
    grpc: createClient(ApplicationRegistryService, createGrpcTransport(opts)),
    grpcWeb: createClient(ApplicationRegistryService, createGrpcWebTransport(opts)),
  };
}

/** Runs `buf curl` with these arguments; returns its exit code and output. */
export async function bufCurl(...args: string[]) {
  const proc = Bun.spawn([BUF, "curl", ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** Resolves with `promise`, or rejects once `ms` have passed: a deadline, not a sleep. */
export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Resolves once `condition` holds, checking every few milliseconds; for states no event announces. */
export function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (condition() ? resolve() : setTimeout(check, 5));
    check();
  });
}

export interface RawReply {
  status: number | undefined;
  headers: Record<string, unknown>;
  /** gRPC trailers (empty for other protocols, or when the status came in the headers). */
  trailers: Record<string, unknown>;
  body: Buffer;
  /** The RST_STREAM code the stream ended with (0: it ended normally). */
  rstCode: number | undefined;
}

/**
 * One request on an HTTP/2 session opened by the caller, exactly as given (any :authority,
 * content type or bytes): what a hostile or careless client sends, and all it gets back.
 */
export function rawCall(
  session: ClientHttp2Session,
  { path, body, headers = {} }: { path: string; body: string | Uint8Array; headers?: Record<string, string> },
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ":method": "POST", ":path": path, ...headers });
    const reply: RawReply = { status: undefined, headers: {}, trailers: {}, body: Buffer.alloc(0), rstCode: undefined };
    const chunks: Buffer[] = [];
    req.on("response", (h) => {
      reply.status = h[":status"];
      reply.headers = { ...h };
    });
    req.on("trailers", (t) => (reply.trailers = { ...t }));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", reject);
    req.on("close", () => resolve({ ...reply, body: Buffer.concat(chunks), rstCode: req.rstCode }));
    req.end(body);
  });
}

/** The gRPC status of a raw reply: in the trailers, or in the headers of a trailers-only reply. */
export const grpcStatusOf = (r: RawReply) => Number(r.trailers["grpc-status"] ?? r.headers["grpc-status"]);

/** A gRPC message frame (uncompressed) around protobuf bytes. */
export function grpcFrame(message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length);
  frame.set(message, 5);
  return frame;
}
