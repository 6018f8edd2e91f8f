/** The sender against real local HTTP servers: outcomes, redirects, huge bodies, hangs. */
import { afterAll, expect, test } from "bun:test";
import { backoffMs } from "./backoff";
import { createWebhookSender, retryAfterMs } from "./webhook-sender";

const servers: ReturnType<typeof Bun.serve>[] = [];
const serve = (fetch: (req: Request) => Response | Promise<Response>) => {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch });
  servers.push(s);
  return `http://127.0.0.1:${s.port}/hook`;
};
afterAll(() => servers.forEach((s) => s.stop(true)));

const send = createWebhookSender({ timeoutMs: 500, allowedHosts: ["127.0.0.1"] });
const post = (url: string) => send(url, "[]", {}, new AbortController().signal);

test("2xx delivers; 408, 429 and 5xx retry (Retry-After read); other 4xx are final", async () => {
  expect(await post(serve(() => new Response(null, { status: 204 })))).toEqual({ kind: "delivered", status: 204 });
  expect(await post(serve(() => new Response("busy", { status: 429, headers: { "retry-after": "7" } })))).toMatchObject(
    { kind: "retry", retryAfterMs: 7000 },
  );
  expect(await post(serve(() => new Response("x", { status: 503 })))).toMatchObject({
    kind: "retry",
    error: "HTTP 503: x",
  });
  expect(await post(serve(() => new Response("x", { status: 408 })))).toMatchObject({ kind: "retry" });
  expect(await post(serve(() => new Response("gone", { status: 410 })))).toEqual({
    kind: "final",
    error: "HTTP 410: gone",
  });
});

test("a redirect is not followed, even to the metadata address", async () => {
  let followed = false;
  const target = serve(() => ((followed = true), new Response("secret")));
  const url = serve(
    () => new Response(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data" } }),
  );
  expect(await post(url)).toMatchObject({ kind: "final", error: expect.stringContaining("302 redirect") });
  const local = serve(() => new Response(null, { status: 307, headers: { location: target } }));
  expect(await post(local)).toMatchObject({ kind: "final" });
  expect(followed).toBe(false);
});

test("a 50 MB answer is read only up to a few KiB", async () => {
  const chunk = new Uint8Array(1024 * 1024).fill(120);
  let sent = 0;
  const url = serve(
    () =>
      new Response(
        new ReadableStream({
          pull(c) {
            if (sent >= 50) return c.close();
            sent++;
            c.enqueue(chunk);
          },
        }),
        { status: 500 },
      ),
  );
  const outcome = await post(url);
  expect(outcome.kind).toBe("retry");
  expect(outcome.kind === "retry" && outcome.error.length).toBeLessThan(300);
  expect(sent).toBeLessThan(50);
});

test("a hanging endpoint times out; a refused address is final without a request", async () => {
  const url = serve(() => new Promise<Response>(() => {}));
  const started = Date.now();
  expect(await post(url)).toMatchObject({ kind: "retry", error: "timed out after 500 ms" });
  expect(Date.now() - started).toBeLessThan(2_000);
  const strict = createWebhookSender({ timeoutMs: 500, allowedHosts: [] });
  expect(await strict(url, "[]", {}, new AbortController().signal)).toMatchObject({
    kind: "final",
    error: expect.stringContaining("refused: 127.0.0.1"),
  });
  expect(await strict("http://169.254.169.254/", "[]", {}, new AbortController().signal)).toMatchObject({
    kind: "final",
  });
});

test("Retry-After as seconds or a date; backoff grows with jitter and stays under its cap", () => {
  expect(retryAfterMs("3")).toBe(3000);
  expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
  expect(retryAfterMs("soon")).toBeUndefined();
  expect(backoffMs(0, 10_000, 250, () => 0)).toBe(125);
  expect(backoffMs(3, 10_000, 250, () => 1)).toBe(2000);
  expect(backoffMs(20, 10_000, 250, () => 1)).toBe(10_000);
});

test("a name is resolved once and the POST goes to that address, with the name as its Host", async () => {
  let host: string | null | undefined;
  const url = serve((req) => ((host = req.headers.get("host")), new Response(null, { status: 204 })));
  const port = new URL(url).port;
  const viaName = createWebhookSender({
    timeoutMs: 500,
    allowedHosts: ["127.0.0.1"],
    resolve: async () => ["127.0.0.1"],
  });
  expect(await viaName(`http://hooks.test:${port}/hook`, "[]", {}, new AbortController().signal)).toEqual({
    kind: "delivered",
    status: 204,
  });
  expect(host).toBe(`hooks.test:${port}`);
});
