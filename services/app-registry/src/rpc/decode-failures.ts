/**
 * connect-es answers a request body that is not protobuf with Internal, which the Connect
 * protocol turns into HTTP 500: a server fault, for the client's bad bytes (its JSON decoding
 * says InvalidArgument, as connect-go does for both). Here those unary replies become 400
 * invalid_argument. The gRPC protocols keep connect-es's Internal status (grpc-go and grpc-java
 * answer so too); it travels in an HTTP 200 reply.
 */
import type { ConnectRouter } from "@connectrpc/connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";

const DECODE_FAILURE = /^parse binary: /;

async function asInvalidArgument(res: UniversalServerResponse): Promise<UniversalServerResponse> {
  // Only a Connect unary error is answered 500 (the gRPC protocols answer 200); its body is one small JSON chunk.
  if (res.status !== 500 || !res.body || res.header?.has("content-encoding")) return res;
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.body) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const unchanged = {
    ...res,
    body: (async function* () {
      yield bytes;
    })(),
  };
  let error: { code?: unknown; message?: unknown };
  try {
    error = JSON.parse(bytes.toString("utf8"));
  } catch {
    return unchanged;
  }
  if (error.code !== "internal" || typeof error.message !== "string" || !DECODE_FAILURE.test(error.message))
    return unchanged;
  const body = Buffer.from(JSON.stringify({ ...error, code: "invalid_argument" }));
  const header = new Headers(res.header);
  header.set("content-length", String(body.byteLength));
  return {
    ...res,
    status: 400,
    header,
    body: (async function* () {
      yield body;
    })(),
  };
}

/** Call after every service is on the router: each of its handlers answers decode failures as 400. */
export function answerDecodeFailuresAs400(router: ConnectRouter): void {
  router.handlers.forEach((handler, i) => {
    router.handlers[i] = Object.assign(
      async (req: Parameters<typeof handler>[0]) => asInvalidArgument(await handler(req)),
      handler,
    );
  });
}
