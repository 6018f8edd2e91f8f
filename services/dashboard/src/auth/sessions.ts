/**
 * Operator sessions, in memory: a random id in an HttpOnly cookie names one. A session ends when
 * unused for `idleMs`, `maxMs` after login whatever happens, or on logout. A restart logs everyone
 * out, which is the safe direction. At most `capacity` live at once (the oldest goes first).
 */
import { type Clock, systemClock } from "@iot/common/clock";

export interface Session {
  operator: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionOptions {
  idleMs: number;
  maxMs: number;
  capacity?: number;
  clock?: Pick<Clock, "now">;
}

export function createSessions({ idleMs, maxMs, capacity = 10_000, clock = systemClock }: SessionOptions) {
  const sessions = new Map<string, Session>();
  const expired = (s: Session, now: number) => now - s.lastSeen >= idleMs || now - s.createdAt >= maxMs;
  const sweep = (now: number) => {
    for (const [id, s] of sessions) if (expired(s, now)) sessions.delete(id);
  };
  return {
    /** A new session for `operator`; its id goes in the cookie. */
    create(operator: string): string {
      const now = clock.now();
      sweep(now);
      while (sessions.size >= capacity) sessions.delete(sessions.keys().next().value!);
      const id = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
      sessions.set(id, { operator, createdAt: now, lastSeen: now });
      return id;
    },
    /** The live session `id` names, marked as used now; undefined (and forgotten) when expired. */
    use(id: string): Session | undefined {
      const s = sessions.get(id);
      if (!s) return undefined;
      const now = clock.now();
      if (expired(s, now)) {
        sessions.delete(id);
        return undefined;
      }
      s.lastSeen = now;
      return s;
    },
    end(id: string): void {
      sessions.delete(id);
    },
    /** Seconds a new session's cookie may live: the absolute timeout. */
    maxAgeSeconds: Math.ceil(maxMs / 1000),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
