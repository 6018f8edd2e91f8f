/**
 * ListApplicationsByDeviceType over gRPC, answered on node:http2's `stream` event without Connect's
 * per-call machinery (universal handler, async iterables, compatibility request/response), from
 * response bytes encoded once per read-model state: Connect's path cost ~10× the bare HTTP/2
 * exchange under h2load (bench/README.md, issue 18). It answers only when its answer is exactly
 * Connect's (same headers, message bytes, trailers, metrics): a plain gRPC call (application/grpc
 * or +proto), one uncompressed message holding a valid device type, from an allowed host within
 * its connection's stream cap, whose answer memory holds now (so a grpc-timeout cannot expire
 * first, and no read misses an acknowledged write: read-model.ts). Every other request on this
 * path goes to Connect's own handler (stream-handoff.ts), so errors are Connect's; other paths,
 * Connect and gRPC-Web calls never come here.
 */
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Compression, UniversalHandler } from "@connectrpc/connect/protocol";
import { compressionNegotiate } from "@connectrpc/connect/protocol";
import {
  contentTypeProto,
  grpcStatusOk,
  headerAcceptEncoding,
  headerEncoding,
  headerGrpcStatus,
  headerTimeout,
  parseTimeout,
} from "@connectrpc/connect/protocol-grpc";
import {
  ListApplicationsByDeviceTypeRequestSchema,
  ListApplicationsByDeviceTypeResponseSchema,
} from "@gen/iot/registry/v1/registry_pb";
import type { Application } from "../application";
import type { Registry } from "../registry";
import type { CallerFacts } from "./caller";
import { callerContextValues } from "./caller";
import { deviceTypeIn } from "./convert";
import { many } from "./registry-service";
import { handOff } from "./stream-handoff";

/** The gRPC content type a client may send for binary messages besides Connect's own answer type. */
const CONTENT_TYPE_GRPC = "application/grpc";
const ENVELOPE_BYTES = 5;

export interface FastPathDeps {
  registry: Registry;
  /** Connect's handler of this very method, with the server's options: it answers all the rest. */
  connect: UniversalHandler;
  /** As the server computes them for Connect's context (counts the stream against its session's cap). */
  callerOf: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => CallerFacts;
  /** The server's options, which Connect's handler applies too. */
  acceptCompression: Compression[];
  compressMinBytes: number;
  readMaxBytes: number;
  /** Counts an answered call, as the error interceptor does for Connect's. */
  countOk: () => void;
}

/** node:http2 names headers in lower case; Connect's constants are capitalised. */
const [ENCODING, ACCEPT_ENCODING, TIMEOUT, GRPC_STATUS] = [
  headerEncoding,
  headerAcceptEncoding,
  headerTimeout,
  headerGrpcStatus,
].map((name) => name.toLowerCase()) as [string, string, string, string];

/** A header as Connect reads it (Headers.get: repeated values joined). */
const header = (headers: IncomingHttpHeaders, name: string) => {
  const v = headers[name];
  return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
};

/** Request bodies already read, by their bytes: callers ask for the same few types over and over. */
const MAX_KNOWN_BODIES = 1_024;
/** A device type is at most 64 characters; a larger body (unknown fields) is decoded, not kept. */
const MAX_KNOWN_BODY_BYTES = 128;

/** The device type of a request body, or undefined when Connect must judge it (bad or compressed frame, bad message, invalid type). */
function decodeDeviceType(body: Buffer): string | undefined {
  if (body.length < ENVELOPE_BYTES || body[0] !== 0 || body.readUInt32BE(1) !== body.length - ENVELOPE_BYTES)
    return undefined;
  try {
    return deviceTypeIn(fromBinary(ListApplicationsByDeviceTypeRequestSchema, body.subarray(ENVELOPE_BYTES)));
  } catch {
    return undefined; // Connect's handler answers it with its own error.
  }
}

/** Returns the `stream` listener's test: true when it took the stream (answered or handed to Connect). */
export function createFastPath(deps: FastPathDeps) {
  const { registry, connect, callerOf, acceptCompression, compressMinBytes, readMaxBytes, countOk } = deps;
  const known = new Map<string, string>();
  const deviceTypeOf = (body: Buffer) => {
    if (body.length > MAX_KNOWN_BODY_BYTES) return decodeDeviceType(body);
    const key = body.toString("latin1");
    let deviceType = known.get(key);
    if (deviceType === undefined) {
      deviceType = decodeDeviceType(body);
      if (deviceType === undefined) return undefined;
      if (known.size >= MAX_KNOWN_BODIES) known.clear();
      known.set(key, deviceType);
    }
    return deviceType;
  };
  // Per read-model answer (its identity changes with every change) and view: public, admin.
  const frames = new WeakMap<readonly Application[], Array<Buffer | undefined>>();
  const frameOf = (applications: readonly Application[], admin: boolean) => {
    let views = frames.get(applications);
    if (!views) frames.set(applications, (views = []));
    const view = Number(admin);
    let frame = views[view];
    if (!frame) {
      const message = toBinary(
        ListApplicationsByDeviceTypeResponseSchema,
        create(ListApplicationsByDeviceTypeResponseSchema, { applications: many(applications, { contact: admin }) }),
      );
      frame = Buffer.alloc(ENVELOPE_BYTES + message.length);
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, ENVELOPE_BYTES);
      views[view] = frame;
    }
    return frame;
  };

  const answer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, caller: CallerFacts, body: Buffer) => {
    if (stream.destroyed) return; // the client reset it: no one to answer
    const toConnect = () => handOff(connect, stream, headers, callerContextValues(caller), [body]);
    const compression = compressionNegotiate(
      acceptCompression,
      header(headers, ENCODING),
      header(headers, ACCEPT_ENCODING),
      headerAcceptEncoding,
    );
    if (compression.error || compression.request) return toConnect();
    const timeout = parseTimeout(header(headers, TIMEOUT), Number.MAX_SAFE_INTEGER);
    if (timeout.error || (timeout.timeoutMs !== undefined && timeout.timeoutMs < 1)) return toConnect();
    const deviceType = deviceTypeOf(body);
    const applications = deviceType === undefined ? undefined : registry.activeByDeviceTypeNow(deviceType);
    if (!applications) return toConnect();
    const frame = frameOf(applications, caller.admin);
    // Connect would compress it.
    if (compression.response && frame.length - ENVELOPE_BYTES >= compressMinBytes) return toConnect();
    const responseHeaders: Record<string, string | number> = { ":status": 200, "content-type": contentTypeProto };
    if (compression.response) responseHeaders[ENCODING] = compression.response.name;
    stream.respond(responseHeaders, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers({ [GRPC_STATUS]: grpcStatusOk }));
    stream.end(frame);
    countOk();
  };

  return (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean => {
    if (headers[":path"] !== connect.requestPath || headers[":method"] !== "POST") return false;
    const type = headers["content-type"];
    if (type !== CONTENT_TYPE_GRPC && type !== contentTypeProto) return false;
    // A client's reset ends the stream (node:http2 reports it as an error): there is no one left to answer.
    stream.on("error", () => undefined);
    const caller = callerOf(stream, headers);
    // Refused before the body is read, as Connect's request gate refuses it.
    if (!caller.hostAllowed || !caller.withinSessionCap) {
      handOff(connect, stream, headers, callerContextValues(caller), [], stream);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= ENVELOPE_BYTES + readMaxBytes) return;
      // Too big for any answer but Connect's (ResourceExhausted): it reads on from here.
      stream.off("data", onData).off("end", onEnd).pause();
      handOff(connect, stream, headers, callerContextValues(caller), chunks, stream);
    };
    const onEnd = () => answer(stream, headers, caller, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    stream.on("data", onData).once("end", onEnd);
    return true;
  };
}
