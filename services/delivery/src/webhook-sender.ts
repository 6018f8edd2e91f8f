/**
 * One webhook POST and what its outcome means. Redirects are never followed (a 3xx could point at
 * a metadata address), at most a few KiB of a response body are read before the stream is
 * cancelled (a 50 MB answer costs nothing), and the whole exchange is under a timeout.
 */
import { createAddressPolicy, pinned, RefusedTarget, type Resolve } from "./address-policy";

export type Outcome =
  | { kind: "delivered"; status: number }
  /** Worth trying again: network error, timeout, 408, 429, 5xx. */
  | { kind: "retry"; error: string; retryAfterMs?: number }
  /** Trying again cannot help: 3xx, another 4xx, a refused target. */
  | { kind: "final"; error: string };

export interface SenderOptions {
  timeoutMs: number;
  allowedHosts: string[];
  resolve?: Resolve;
  /** Bytes of a response body read at most (for the error message). */
  maxResponseBytes?: number;
}

export type Send = (
  url: string,
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string>,
  signal: AbortSignal,
) => Promise<Outcome>;

export function createWebhookSender(opts: SenderOptions): Send {
  const check = createAddressPolicy(opts.allowedHosts, opts.resolve);
  const limit = opts.maxResponseBytes ?? 4096;
  return async (url, body, headers, signal) => {
    const target = new URL(url);
    let address: string | undefined;
    try {
      address = await check(target);
    } catch (e) {
      if (e instanceof RefusedTarget) return { kind: "final", error: `refused: ${e.message}` };
      throw e;
    }
    const to = pinned(target, address);
    let res: Response;
    try {
      res = await fetch(to.url, {
        method: "POST",
        body,
        headers: {
          ...headers,
          "content-type": "application/json",
          "user-agent": "iot-delivery/1.0",
          ...(to.host ? { host: to.host } : {}),
        },
        ...(to.serverName ? { tls: { serverName: to.serverName } } : {}),
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]),
      });
    } catch (e) {
      if (signal.aborted) throw e;
      return {
        kind: "retry",
        error:
          e instanceof Error && e.name === "TimeoutError"
            ? `timed out after ${opts.timeoutMs} ms`
            : `network error: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    const snippet = await readSome(res, limit);
    const s = res.status;
    if (s >= 200 && s < 300) return { kind: "delivered", status: s };
    const error = `HTTP ${s}${snippet ? `: ${snippet.slice(0, 200)}` : ""}`;
    if (s >= 300 && s < 400) return { kind: "final", error: `HTTP ${s} redirect (not followed)` };
    if (s === 408 || s === 429 || s >= 500)
      return { kind: "retry", error, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) };
    return { kind: "final", error };
  };
}

/** Reads up to `limit` bytes as text and cancels the rest of the body. */
async function readSome(res: Response, limit: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    return ""; // a body that breaks off says nothing more than its status
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit)).replace(/\s+/g, " ").trim();
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
