/**
 * The operator page: GET /login shows the form (or who is logged in), POST /login starts a session
 * (rate-limited per client address), POST /logout ends it. Success redirects (303) to where the
 * operator was going, if that is a path on this dashboard.
 */
import { Elysia } from "elysia";
import type { Access } from "../auth/access";
import { loginPage } from "../views/login";
import { readForm } from "./form-body";
import type { Identify } from "./operator-guard";
import { htmlResponse } from "./respond";

/** A local path only: `//evil.example` or `/\evil.example` would leave the dashboard. */
const localPath = (v: unknown): string =>
  typeof v === "string" && /^\/(?![/\\])[^\s\\]{0,200}$/.test(v) ? v : "/applications";

const redirect = (to: string, cookie: string) =>
  new Response(null, { status: 303, headers: { location: to, "set-cookie": cookie, "cache-control": "no-store" } });

export function loginRoutes({
  access,
  identify,
  maxBodyBytes,
}: {
  access: Access;
  identify: Identify;
  maxBodyBytes: number;
}) {
  return new Elysia({ name: "dashboard-login" })
    .get("/login", ({ request, server, query }) =>
      htmlResponse(
        loginPage({
          operator: identify.operator(request, server),
          loginEnabled: access.loginEnabled,
          next: localPath(query.next),
        }),
      ),
    )
    .post(
      "/login",
      async ({ request, server }) => {
        const form = await readForm(request, maxBodyBytes);
        const next = localPath(form.get("next"));
        const view = { loginEnabled: access.loginEnabled, next };
        const result = await access.login(
          (form.get("username") ?? "").slice(0, 64),
          (form.get("password") ?? "").slice(0, 1024),
          identify.caller(request, server),
        );
        switch (result.kind) {
          case "ok":
            return redirect(next, result.cookie);
          case "refused":
            return htmlResponse(loginPage({ ...view, error: "Wrong name or password." }), 401);
          case "limited": {
            const res = htmlResponse(
              loginPage({
                ...view,
                error: `Too many failed logins from your address; try again in ${result.retryAfterSeconds} s.`,
              }),
              429,
            );
            res.headers.set("retry-after", String(result.retryAfterSeconds));
            return res;
          }
          case "disabled":
            return htmlResponse(loginPage(view), 403);
        }
      },
      { parse: "none" },
    )
    .post("/logout", ({ request, server }) => redirect("/", access.logout(request, identify.caller(request, server))), {
      parse: "none",
    });
}
