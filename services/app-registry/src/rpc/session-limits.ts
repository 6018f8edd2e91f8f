/**
 * Limits on the RPC port's HTTP/2 connections (sessions), which node:http2 leaves open forever:
 *   - idle: a session with no open request for `idleMs` is closed, so idle or half-open
 *     connections do not pile up (a quiet Watch stream is an open request: it keeps its session);
 *   - age: a session older than `maxAgeMs` is sent GOAWAY (no new requests: clients open a new
 *     connection) and cut `drainMs` later, so no connection, and no Watch stream on it, lives
 *     forever; a client that re-opens its Watch within the drain (enrichment re-lists every few
 *     minutes) moves over without a gap;
 *   - streams: at most `maxStreams` requests at once per session. HTTP/2's own limit (advertised
 *     at twice that) would reset the streams beyond it, which clients report as a broken
 *     connection; up to there, the request gate refuses them with a readable ResourceExhausted.
 */
import type { Http2Server, Http2Session, ServerHttp2Stream } from "node:http2";

export interface SessionLimits {
  maxStreams: number;
  idleMs: number;
  maxAgeMs: number;
  drainMs: number;
  /** How long a stopping server lets open streams finish. */
  graceMs: number;
}

interface SessionState {
  streams: number;
  /** When its last request closed (performance.now()), or it opened. */
  quietSince: number;
  idle?: ReturnType<typeof setTimeout>;
  age?: ReturnType<typeof setTimeout>;
  cut?: ReturnType<typeof setTimeout>;
}

export const http2Settings = (limits: SessionLimits) => ({ maxConcurrentStreams: 2 * limits.maxStreams });

export function limitSessions(server: Http2Server, limits: SessionLimits) {
  const sessions = new Map<Http2Session, SessionState>();

  /** GOAWAY now; whatever is still open `afterMs` later is cut. */
  const retire = (session: Http2Session, state: SessionState, afterMs: number) => {
    if (state.cut) return;
    session.close();
    state.cut = setTimeout(() => session.destroy(), afterMs);
  };
  // One timer per session, re-armed when it fires, not per request: a busy connection opens
  // thousands of requests a second, and a timer each was a measurable share of the RPC port's CPU.
  const armIdle = (session: Http2Session, state: SessionState, afterMs: number) => {
    state.idle = setTimeout(() => {
      const quietFor = performance.now() - state.quietSince;
      if (state.cut) return;
      if (state.streams > 0) armIdle(session, state, limits.idleMs);
      else if (quietFor < limits.idleMs) armIdle(session, state, limits.idleMs - quietFor);
      else retire(session, state, limits.graceMs); // nothing is open: close() ends it at once
    }, afterMs);
  };

  server.on("session", (session: Http2Session) => {
    const state: SessionState = { streams: 0, quietSince: performance.now() };
    sessions.set(session, state);
    armIdle(session, state, limits.idleMs);
    state.age = setTimeout(() => retire(session, state, limits.drainMs), limits.maxAgeMs);
    session.once("close", () => {
      for (const t of [state.idle, state.age, state.cut]) clearTimeout(t);
      sessions.delete(session);
    });
  });

  return {
    /** Counts the request (its stream) on its session until it closes; false when the session is already at its cap. */
    admit(stream: ServerHttp2Stream): boolean {
      const session = stream.session;
      const state = session && sessions.get(session);
      if (!session || !state) return true;
      if (state.streams >= limits.maxStreams) return false;
      state.streams++;
      stream.once("close", () => {
        if (--state.streams === 0) state.quietSince = performance.now();
      });
      return true;
    },
    /** Stopping: every session gets GOAWAY and is cut after the grace period. */
    retireAll() {
      for (const [session, state] of sessions) {
        clearTimeout(state.cut);
        state.cut = undefined;
        retire(session, state, limits.graceMs);
      }
    },
    get open() {
      return sessions.size;
    },
  };
}
