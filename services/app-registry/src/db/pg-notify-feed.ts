/**
 * Changes across registry replicas on one PostgreSQL database: every write is published to this
 * process's feed at once and sent with NOTIFY; each replica LISTENs and publishes what the others
 * sent into its own feed, so a Watch on any replica sees every replica's writes (typically within
 * milliseconds). Changes queued together (an import) travel several to a notification. NOTIFY is
 * delivered only to sessions listening at that moment: when a replica's listening connection drops
 * and comes back, changes may have been missed, so every Watch on that replica is ended (clients
 * re-subscribe and read a fresh snapshot).
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import type { ChangeFeed } from "../change-feed";

/** PostgreSQL refuses payloads of 8000 bytes or more; this leaves room for the envelope. */
export const MAX_NOTIFY_BYTES = 7_500;

/** What travels in a notification: one encoded change must stay under MAX_NOTIFY_BYTES. */
export interface NotifyCodec<C> {
  encode(change: C): unknown;
  /** Undefined: nothing to publish (e.g. the row is gone by now). */
  decode(payload: unknown): Promise<C | undefined>;
}

export async function openPgNotify(url: string, onError: (error: unknown) => void) {
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  // Our own notifications come back to us too; they are already in our feed.
  const origin = randomUUID();
  // One chain: notifications leave in the order the writes committed.
  let sending = Promise.resolve();
  const listeners: { unlisten(): Promise<void> }[] = [];

  return {
    /** `local` as a feed whose publish reaches every replica's feed. */
    async relay<C>(channel: string, local: ChangeFeed<C>, codec: NotifyCodec<C>): Promise<ChangeFeed<C>> {
      const queue: string[] = [];
      const flush = async () => {
        while (queue.length > 0) {
          const batch = [queue.shift()!];
          let bytes = Buffer.byteLength(batch[0]!);
          while (queue.length > 0 && bytes + Buffer.byteLength(queue[0]!) + 1 <= MAX_NOTIFY_BYTES) {
            bytes += Buffer.byteLength(queue[0]!) + 1;
            batch.push(queue.shift()!);
          }
          await sql.notify(channel, `{"from":"${origin}","changes":[${batch.join(",")}]}`);
        }
      };

      let receiving = Promise.resolve();
      let listened = false;
      const relisten = () => {
        if (listened) local.reset();
        listened = true;
      };
      const onNotify = (text: string) => {
        // Decoding may read the database; the chain keeps arrival order.
        receiving = receiving
          .then(async () => {
            const { from, changes } = JSON.parse(text) as { from: string; changes: unknown[] };
            if (from === origin) return;
            for (const change of changes) {
              const decoded = await codec.decode(change);
              if (decoded !== undefined) local.publish(decoded);
            }
          })
          .catch(onError);
      };
      listeners.push(await sql.listen(channel, onNotify, relisten));
      return {
        publish(change) {
          local.publish(change);
          queue.push(JSON.stringify(codec.encode(change)));
          // The first change queued starts a flush; later ones join it while it waits its turn.
          if (queue.length === 1) sending = sending.then(flush).catch(onError);
        },
        subscribe: (listener, onClose) => local.subscribe(listener, onClose),
        close: () => local.close(),
        reset: () => local.reset(),
        get subscribers() {
          return local.subscribers;
        },
      };
    },
    async close() {
      await sending;
      await Promise.all(listeners.map((l) => l.unlisten().catch(() => {})));
      await sql.end({ timeout: 2 });
    },
  };
}
