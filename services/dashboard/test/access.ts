/** Operator access for tests: a session store to mint logins from, and the pieces the routes take. */
import { createAccess } from "../src/auth/access";
import { createCallerOf } from "../src/auth/caller";
import { createLoginLimiter } from "../src/auth/login-limiter";
import type { Operators } from "../src/auth/operators";
import { createSessions } from "../src/auth/sessions";
import { SESSION_COOKIE } from "../src/auth/access";
import { createIdentify } from "../src/http/operator-guard";

/** A cheap argon2id hash (tests only: production hashes use Bun's default cost). */
export const cheapHash = (password: string) =>
  Bun.password.hash(password, { algorithm: "argon2id", memoryCost: 1024, timeCost: 1 });

export function testAccess(
  o: { operators?: Operators; loopbackOperator?: boolean; proxyHeader?: string; trustedProxies?: string[] } = {},
) {
  const sessions = createSessions({ idleMs: 60_000, maxMs: 3_600_000 });
  const access = createAccess({
    operators: o.operators ?? new Map(),
    loopbackOperator: o.loopbackOperator ?? false,
    proxyHeader: o.proxyHeader,
    sessions,
    limiter: createLoginLimiter({ maxFailures: 5, windowMs: 60_000 }),
  });
  const identify = createIdentify(access, createCallerOf(o.trustedProxies ?? []));
  /** A Cookie header naming a fresh session of `name`. */
  const loggedIn = (name = "alice") => `${SESSION_COOKIE}=${sessions.create(name)}`;
  return { access, identify, sessions, loggedIn };
}
