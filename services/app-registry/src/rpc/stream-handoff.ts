/**
 * Hands a raw HTTP/2 stream, whose request body may already be partly or wholly read, to one of
 * Connect's own method handlers, and writes its answer back: what the fast path (fast-path.ts)
 * does whenever it cannot answer a request exactly as Connect would. connect-node's adapter does
 * the same for node:http2's compatibility request/response pair, which a stream no longer has.
 */
import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { ContextValues } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";

/** The body Connect reads: what was read already, then whatever the stream still brings. */
async function* bodyOf(read: Uint8Array[], rest: AsyncIterable<Uint8Array> | undefined) {
  yield* read;
  if (rest) yield* rest;
}

function headersOf(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.append(name, v);
  }
  return out;
}

async function respond(stream: ServerHttp2Stream, res: UniversalServerResponse) {
  // Unary answers only (one small message, or none): collected, then written at once.
  const chunks: Uint8Array[] = [];
  if (res.body) for await (const chunk of res.body) chunks.push(chunk);
  if (stream.destroyed) return;
  const trailers = res.trailer && Object.fromEntries(res.trailer);
  stream.respond(
    { ":status": res.status, ...(res.header && Object.fromEntries(res.header)) },
    { waitForTrailers: trailers !== undefined },
  );
  if (trailers) stream.once("wantTrailers", () => stream.sendTrailers(trailers));
  stream.end(Buffer.concat(chunks));
}

export function handOff(
  connect: UniversalHandler,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  contextValues: ContextValues,
  read: Uint8Array[],
  rest?: AsyncIterable<Uint8Array>,
): void {
  const aborted = new AbortController();
  stream.once("close", () => aborted.abort());
  const authority = headers[":authority"] ?? headers.host ?? "localhost";
  // In the chain, so that a URL that does not parse fails this call only.
  Promise.resolve()
    .then(() =>
      connect({
        httpVersion: "2.0",
        method: headers[":method"] ?? "",
        url: new URL(headers[":path"] ?? "/", `http://${authority}`).toString(),
        header: headersOf(headers),
        body: bodyOf(read, rest),
        signal: aborted.signal,
        contextValues,
      }),
    )
    .then((res) => respond(stream, res))
    .catch((reason) => {
      // As connect-node: a call the client abandoned has no one to answer.
      if (ConnectError.from(reason).code === Code.Aborted) return;
      stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    });
}
