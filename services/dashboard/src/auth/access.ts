/**
 * Who may change things through the dashboard. An operator is, in this order: the user an
 * authenticating proxy names in its header (only from a trusted proxy), the holder of a live session
 * (logged in with a configured name and password), or, when `loopbackOperator` is on (the default of
 * `bun run start`), anyone on this machine talking to it directly. Everyone else reads only.
 */
import type { Caller } from "./caller";
import type { LoginLimiter } from "./login-limiter";
import { type Operators, verifyOperator } from "./operators";
import type { Sessions } from "./sessions";

export const SESSION_COOKIE = "dashboard_session";

export interface Operator {
  name: string;
  via: "proxy" | "session" | "loopback";
}

export interface AccessOptions {
  operators: Operators;
  loopbackOperator: boolean;
  /** The header an authenticating proxy puts the user's name in; unset: none is trusted. */
  proxyHeader?: string;
  sessions: Sessions;
  limiter: LoginLimiter;
}

export type LoginResult =
  | { kind: "ok"; cookie: string; operator: string }
  | { kind: "refused" }
  | { kind: "limited"; retryAfterSeconds: number }
  | { kind: "disabled" };

// A user name from a proxy header: printable text of a sensible length, nothing that could hide in a page.
const PROXY_USER = /^[\p{L}\p{N}._@+ -]{1,100}$/u;

const sessionIdOf = (request: Request) =>
  new Bun.CookieMap(request.headers.get("cookie") ?? "").get(SESSION_COOKIE) ?? undefined;

const cookie = (value: string, maxAge: number, secure: boolean) =>
  new Bun.Cookie(SESSION_COOKIE, value, { path: "/", httpOnly: true, sameSite: "strict", secure, maxAge }).serialize();

export function createAccess(o: AccessOptions) {
  return {
    /** Logging in is possible only when operators are configured. */
    loginEnabled: o.operators.size > 0,
    /** Whether anyone at all can write: otherwise the dashboard is read-only and says so. */
    writable: o.operators.size > 0 || o.loopbackOperator || o.proxyHeader !== undefined,

    operatorOf(request: Request, caller: Caller): Operator | undefined {
      if (o.proxyHeader && caller.viaTrustedProxy) {
        const user = request.headers.get(o.proxyHeader)?.trim();
        if (user && PROXY_USER.test(user)) return { name: user, via: "proxy" };
      }
      const id = sessionIdOf(request);
      const session = id === undefined ? undefined : o.sessions.use(id);
      if (session) return { name: session.operator, via: "session" };
      if (o.loopbackOperator && caller.loopback) return { name: "local operator", via: "loopback" };
      return undefined;
    },

    async login(name: string, password: string, caller: Caller): Promise<LoginResult> {
      if (o.operators.size === 0) return { kind: "disabled" };
      const wait = o.limiter.retryAfterSeconds(caller.address);
      if (wait > 0) return { kind: "limited", retryAfterSeconds: wait };
      if (!(await verifyOperator(o.operators, name, password))) {
        o.limiter.failed(caller.address);
        return { kind: "refused" };
      }
      o.limiter.succeeded(caller.address);
      return {
        kind: "ok",
        operator: name,
        cookie: cookie(o.sessions.create(name), o.sessions.maxAgeSeconds, caller.https),
      };
    },

    /** Ends the request's session, if any; the answer's cookie clears it in the browser. */
    logout(request: Request, caller: Caller): string {
      const id = sessionIdOf(request);
      if (id !== undefined) o.sessions.end(id);
      return cookie("", 0, caller.https);
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
