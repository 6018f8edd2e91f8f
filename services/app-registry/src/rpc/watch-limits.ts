/**
 * Caps on open server streams (WatchApplications, and any Watch added later): each holds a
 * subscription and a connection's worth of buffers for as long as the client likes, so one client
 * address may hold `perClient` and all together `total`; the next is refused with
 * ResourceExhausted until one ends.
 */
import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { peerAddress } from "./caller";

export interface WatchLimits {
  perClient: number;
  total: number;
}

export function limitWatches(limits: WatchLimits): Interceptor {
  const byClient = new Map<string, number>();
  let open = 0;
  const release = (client: string) => {
    open--;
    const left = (byClient.get(client) ?? 1) - 1;
    if (left === 0) byClient.delete(client);
    else byClient.set(client, left);
  };

  const interceptor: Interceptor = (next) => async (req) => {
    if (req.method.methodKind !== "server_streaming") return next(req);
    const client = req.contextValues.get(peerAddress) ?? "unknown";
    if (open >= limits.total)
      throw new ConnectError(
        `the registry serves ${limits.total} watch streams at most; retry later`,
        Code.ResourceExhausted,
      );
    if ((byClient.get(client) ?? 0) >= limits.perClient)
      throw new ConnectError(`at most ${limits.perClient} watch streams per client address`, Code.ResourceExhausted);
    open++;
    byClient.set(client, (byClient.get(client) ?? 0) + 1);
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (e) {
      release(client);
      throw e;
    }
    if (!res.stream) {
      release(client);
      return res;
    }
    return {
      ...res,
      message: (async function* () {
        try {
          yield* res.message;
        } finally {
          release(client);
        }
      })(),
    };
  };
  return interceptor;
}
