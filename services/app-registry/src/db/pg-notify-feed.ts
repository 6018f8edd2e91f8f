/**
 * Changes across registry replicas on one PostgreSQL database: every write is published to this
 * process's feed at once and sent with NOTIFY; each replica LISTENs and publishes what the others
 * sent into its own feed, so a Watch on any replica sees every replica's writes (typically within
 * milliseconds). NOTIFY is delivered only to sessions listening at that moment: changes made while
 * a replica's listening connection is down are not replayed (its Watch clients catch up on their
 * next re-list).
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import type { ChangeFeed } from "../change-feed";

/** What travels in a notification (PostgreSQL caps the payload below 8000 bytes). */
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
      let receiving = Promise.resolve();
      const listener = await sql.listen(channel, (text) => {
        // Decoding may read the database; the chain keeps arrival order.
        receiving = receiving
          .then(async () => {
            const { from, change } = JSON.parse(text) as { from: string; change: unknown };
            if (from === origin) return;
            const decoded = await codec.decode(change);
            if (decoded !== undefined) local.publish(decoded);
          })
          .catch(onError);
      });
      listeners.push(listener);
      return {
        publish(change) {
          local.publish(change);
          const payload = JSON.stringify({ from: origin, change: codec.encode(change) });
          sending = sending.then(() => sql.notify(channel, payload).then(() => {})).catch(onError);
        },
        subscribe: (listener, onClose) => local.subscribe(listener, onClose),
        close: () => local.close(),
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
