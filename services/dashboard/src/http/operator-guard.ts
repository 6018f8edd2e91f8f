/**
 * Every write needs an operator: any route with a method other than GET/HEAD/OPTIONS, today's and
 * tomorrow's, except logging in and out. Routes that show what only operators may see (an edit form
 * with the contact e-mail) add `requireOperator` as their own beforeHandle.
 */
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { Access, Operator } from "../auth/access";
import type { Caller, CallerOf } from "../auth/caller";
import { refusal } from "./refusal";
import { PLAIN_FORMS, SAFE_METHODS } from "./security";

export interface Identify {
  caller(request: Request, server: Server<unknown> | null): Caller;
  operator(request: Request, server: Server<unknown> | null): Operator | undefined;
}

export function createIdentify(access: Access, callerOf: CallerOf): Identify {
  const caller = (request: Request, server: Server<unknown> | null) =>
    callerOf(request, server?.requestIP(request)?.address);
  return { caller, operator: (request, server) => access.operatorOf(request, caller(request, server)) };
}

/** The refusal for a caller who is not an operator, or undefined for one who is. */
export function requireOperator(access: Access, identify: Identify) {
  return ({ request, server }: { request: Request; server: Server<unknown> | null }) => {
    if (identify.operator(request, server)) return;
    if (!access.writable)
      return refusal(
        request,
        403,
        "This dashboard is read-only: no operators are configured (see DASHBOARD_OPERATORS).",
      );
    return refusal(request, 401, "Log in as an operator to do this (Log in, at the top of the page).");
  };
}

export const operatorGuard = (access: Access, identify: Identify) => {
  const require = requireOperator(access, identify);
  return new Elysia({ name: "dashboard-operator-guard" }).onBeforeHandle({ as: "global" }, (ctx) => {
    if (SAFE_METHODS.has(ctx.request.method) || PLAIN_FORMS.has(new URL(ctx.request.url).pathname)) return;
    return require(ctx);
  });
};
