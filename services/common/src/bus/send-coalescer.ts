/**
 * One producer's sends, merged and taken one request at a time.
 *
 * An idempotent @platformatic/kafka producer keeps one produce request in flight per broker connection
 * (it sets `maxInflights` to 1 so a retry cannot reorder sequence numbers). A subscription handles its
 * partitions at once, so their publishes used to queue behind each other's acks=all round trips: six
 * partitions, six round trips before the last one's records left, at every fetch cycle. Merged, they
 * take one.
 *
 * One request at a time, too, and not only per connection. The client reads a send's producer id when
 * the send is asked for but takes its sequence numbers later, after a metadata look-up, and a failed
 * send resets the sequences (a lost producer state also starts a new producer id) for every send in
 * progress. Sends that overlap across a broker restart can therefore go out with one id and another
 * id's sequence numbers; a broker that takes such a batch for a repeat of one it wrote drops it and
 * answers success. Whether that is what left records unenriched in the broker-restart drill with the
 * first version of this coalescer (which let requests overlap) was not shown; one request at a time
 * rules it out, and costs little: the client keeps one request in flight to a broker anyway (only the
 * next request's encoding no longer overlaps the round trip).
 *
 * Order holds: a send's messages keep their order and follow every send of the same group asked for
 * before it (a group is a compression, set per topic, so per-key order holds), and a caller's promise
 * settles only with the request that carried its messages — a failed request fails every caller in it,
 * who then redeliver (at-least-once).
 */
import { MAX_SEND_BYTES } from "./send-size";

interface Request<M, G> {
  group: G;
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
  /** Requests not sent yet, in the order asked; each group's last one still takes more sends. */
  const queue: Request<M, G>[] = [];
  let busy = false; // a request in flight or about to go

  // setImmediate, not a microtask: handlers that await something before they publish, and the callers
  // a settled request lets go on, still land in the next request.
  const next = () => {
    const request = queue.shift();
    if (!request) {
      busy = false;
      return;
    }
    // A flush that throws fails its callers like one that rejects, and the queue moves on either way.
    new Promise((sent) => sent(flush(request.messages, request.group))).then(
      () => {
        for (const w of request.waiters) w.resolve();
        setImmediate(next);
      },
      (e) => {
        for (const w of request.waiters) w.reject(e);
        setImmediate(next);
      },
    );
  };

  return (messages: M[], bytes: number, group: G) =>
    new Promise<void>((resolve, reject) => {
      let request = queue.findLast((r) => r.group === group);
      if (!request || request.bytes + bytes > maxBytes) {
        request = { group, messages: [], bytes: 0, waiters: [] };
        queue.push(request);
      }
      for (const m of messages) request.messages.push(m);
      request.bytes += bytes;
      request.waiters.push({ resolve, reject });
      if (!busy) {
        busy = true;
        setImmediate(next);
      }
    });
}
