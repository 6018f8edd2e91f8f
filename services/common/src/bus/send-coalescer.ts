/**
 * Merges the sends asked for in one turn of the event loop into one produce request.
 *
 * An idempotent @platformatic/kafka producer keeps one produce request in flight per broker connection
 * (it sets `maxInflights` to 1 so a retry cannot reorder sequence numbers). A subscription handles its
 * partitions at once, so their publishes used to queue behind each other's acks=all round trips: six
 * partitions, six round trips before the last one's records left, at every fetch cycle. Merged, they
 * take one. Order holds: a send's messages keep their order and follow every send asked for before it
 * (so per-key order holds too), and a caller's promise settles only with the request that carried its
 * messages — a failed request fails every caller in it, who then redeliver (at-least-once).
 */
import { MAX_SEND_BYTES } from "./send-size";

interface Open<M> {
  messages: M[];
  bytes: number;
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

/**
 * `send(messages, bytes, group)` resolves once `flush` sent them. Sends of one `group` (a compression:
 * one request has one) merge up to `maxBytes` (a send larger than that goes alone).
 */
export function createSendCoalescer<M, G extends string>(
  flush: (messages: M[], group: G) => Promise<unknown>,
  maxBytes = MAX_SEND_BYTES,
) {
  const open = new Map<G, Open<M>>();
  let scheduled = false;

  const go = (group: G, batch: Open<M>) => {
    if (open.get(group) === batch) open.delete(group);
    flush(batch.messages, group).then(
      () => {
        for (const w of batch.waiters) w.resolve();
      },
      (e) => {
        for (const w of batch.waiters) w.reject(e);
      },
    );
  };
  // setImmediate, not a microtask: handlers that await something before they publish still land in the same request.
  const flushAll = () => {
    scheduled = false;
    for (const [group, batch] of [...open]) go(group, batch);
  };

  return (messages: M[], bytes: number, group: G) =>
    new Promise<void>((resolve, reject) => {
      let batch = open.get(group);
      if (batch && batch.bytes + bytes > maxBytes) {
        go(group, batch);
        batch = undefined;
      }
      if (!batch) {
        batch = { messages: [], bytes: 0, waiters: [] };
        open.set(group, batch);
      }
      for (const m of messages) batch.messages.push(m);
      batch.bytes += bytes;
      batch.waiters.push({ resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushAll);
      }
    });
}
