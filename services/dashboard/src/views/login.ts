/** The operator page: a login form, or who is logged in and a way out. Plain forms: they work without script. */
import { html, type Html } from "./html";
import { page } from "./layout";

export interface LoginView {
  /** Who is an operator on this request already, and how. */
  operator?: { name: string; via: "proxy" | "session" | "loopback" };
  loginEnabled: boolean;
  error?: string;
  /** Where to go after logging in (a path on this dashboard). */
  next: string;
}

const HOW = { proxy: "by your sign-on proxy", session: "", loopback: "because you are on this machine" } as const;

export function loginPage(v: LoginView): Html {
  const error = v.error ? html`<p class="error" role="alert">${v.error}</p>` : "";
  let body: Html;
  if (v.operator) {
    body = html`<p class="ok">You are an operator: <strong>${v.operator.name}</strong> ${HOW[v.operator.via]}.</p>
${v.operator.via === "session" ? html`<form method="post" action="/logout"><button type="submit">Log out</button></form>` : ""}`;
  } else if (!v.loginEnabled) {
    body = html`${error}<p>No operators are configured, so this dashboard is read-only. An administrator adds them with
<code>DASHBOARD_OPERATORS</code> (hashes from <code>bun run dashboard:hash-password</code>).</p>`;
  } else {
    body = html`${error}<form class="login" method="post" action="/login">
<input type="hidden" name="next" value="${v.next}">
<label>Name<input name="username" autocomplete="username" required maxlength="64"></label>
<label>Password<input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
<button type="submit">Log in</button>
</form>`;
  }
  return page({ title: "Operator", section: "operator", body: html`<h1>Operator</h1>${body}` });
}
