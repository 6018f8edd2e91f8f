/**
 * The least an HTTP/2 server can do for one gRPC call: a fixed answer of the registry's size
 * (headers, one 5-byte-prefixed message, trailers `grpc-status: 0`), once the request has ended.
 * Plain JavaScript, so that Bun and Node run the same file (http2-ceiling.ts starts it).
 *   <runtime> http2-ceiling-server.mjs <stream|request|bun-serve> <port> <message bytes>
 * `bun-serve` is Bun.serve with `http2: true`: it has no response trailers, so its answer carries
 * grpc-status in the headers, which gRPC allows only for an answer without a message. It bounds
 * what Bun's own HTTP/2 server could do; it cannot serve gRPC.
 */
import { createServer } from "node:http2";

const [api, port, size] = process.argv.slice(2);
const frame = Buffer.alloc(5 + Number(size), 7);
frame[0] = 0;
frame.writeUInt32BE(Number(size), 1);
const headers = { "content-type": "application/grpc+proto" };
const trailers = { "grpc-status": "0" };
const ready = () => console.log("listening");

if (api === "bun-serve") {
  globalThis.Bun.serve({
    port: Number(port),
    hostname: "127.0.0.1",
    http2: true,
    async fetch(req) {
      await req.arrayBuffer();
      return new Response(frame, { headers: { ...headers, ...trailers } });
    },
  });
  ready();
} else {
  const server = createServer();
  if (api === "stream")
    server.on("stream", (stream) => {
      stream.on("data", () => {});
      stream.once("end", () => {
        stream.respond({ ":status": 200, ...headers }, { waitForTrailers: true });
        stream.once("wantTrailers", () => stream.sendTrailers(trailers));
        stream.end(frame);
      });
    });
  else
    server.on("request", (req, res) => {
      req.on("data", () => {});
      req.once("end", () => {
        res.writeHead(200, headers);
        res.addTrailers(trailers);
        res.end(frame);
      });
    });
  server.listen(Number(port), "127.0.0.1", ready);
}
