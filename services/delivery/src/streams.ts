/**
 * The stream channel: authenticates a client by its application's api key (compared as the
 * registry stores it, a SHA-256), opens a session per connection, and closes every session of an
 * application that is deactivated or deleted, or whose key was regenerated, as soon as the
 * registry says so.
 */
import { createHash, randomUUID } from "node:crypto";
import type { EventBus } from "@iot/common/bus";
import type { DeliveryStatus } from "./delivery-status";
import type { Decoder } from "./records";
import { openSession, parsePosition, type Session } from "./stream-session";
import type { Target, Targets } from "./targets";

export class StreamUnauthorized extends Error {
  override name = "StreamUnauthorized";
}

export interface StreamsDeps {
  bus: EventBus;
  targets: Targets;
  status: DeliveryStatus;
  decoder: Decoder;
  topic: string;
  groupPrefix: string;
  lingerMs: number;
  queueLimit: number;
}

export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export function createStreams(deps: StreamsDeps) {
  const open = new Map<Session, { appId: string; keyHash: string }>();

  const authenticate = (authorization: string | null | undefined): { target: Target; keyHash: string } => {
    const key = /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1];
    if (!key) throw new StreamUnauthorized("Missing api key: send Authorization: Bearer <api key>");
    const keyHash = hashKey(key);
    const target = deps.targets.byApiKeyHash(keyHash);
    if (!target?.active) throw new StreamUnauthorized("Invalid api key, or the application is not active");
    return { target, keyHash };
  };

  return {
    authenticate,
    /** Throws StreamUnauthorized. The caller must `close` the session it gets. */
    async connect(
      authorization: string | null | undefined,
      o: { lastEventId?: string | null | undefined; deviceId?: string | undefined },
    ) {
      const { target, keyHash } = authenticate(authorization);
      const status = deps.status.open(target.id, target.name, "stream");
      const partitions = (await deps.bus.stats([deps.topic], [])).topics[0]?.partitions ?? 0;
      const session = await openSession({
        bus: deps.bus,
        topic: deps.topic,
        groupId: `${deps.groupPrefix}.${target.id}.stream.${randomUUID()}`,
        wants: { deviceTypes: target.deviceTypes, deviceId: o.deviceId },
        decoder: deps.decoder,
        resumeFrom: parsePosition(o.lastEventId, partitions),
        lingerMs: deps.lingerMs,
        queueLimit: deps.queueLimit,
        onBad: () => status.skipped++,
      });
      open.set(session, { appId: target.id, keyHash });
      status.connections++;
      let closed = false;
      const connection = {
        session,
        /** Counts what the client was sent. */
        sent(n: number) {
          status.delivered += n;
          status.lastDeliveredAt = new Date();
        },
        async close() {
          if (closed) return;
          closed = true;
          open.delete(session);
          status.connections--;
          if (status.connections === 0) deps.status.close(target.id, "stream");
          await session.stop();
        },
      };
      // However it ends (a stall, a revoked key), the session's group is left and the count drops.
      void session.closed.then(() => connection.close());
      return connection;
    },
    /** After every registry change: sessions whose application or key is no longer valid end now. */
    revoke() {
      for (const [session, { appId, keyHash }] of open) {
        const t = deps.targets.get(appId);
        if (!t?.active || t.apiKeyHash !== keyHash)
          session.close("the application was deactivated, deleted, or its api key regenerated");
      }
    },
    /** Each streaming application's lag: its furthest-behind session, in records. */
    lag(ends: number[]): Map<string, number> {
      const out = new Map<string, number>();
      for (const [session, { appId }] of open) out.set(appId, Math.max(out.get(appId) ?? 0, session.behind(ends)));
      return out;
    },
    /** The service is stopping: every session ends (its client resumes elsewhere or later). */
    closeAll() {
      for (const session of open.keys()) session.close("the delivery service is stopping");
    },
    get count() {
      return open.size;
    },
  };
}

export type Streams = ReturnType<typeof createStreams>;
