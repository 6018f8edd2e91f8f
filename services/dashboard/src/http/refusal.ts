/**
 * How the dashboard says no (a refused write, a bad request, a registry it cannot use): the message
 * in the page's notice area for htmx requests, a short page otherwise. `HttpRefusal` is thrown where
 * the reason is found (reading a body) and answered once, in errors.ts.
 */
import { errorNotice, noticeRegion } from "../views/applications";
import { html } from "../views/html";
import { page, partial } from "../views/layout";
import { htmlResponse } from "./respond";

export class HttpRefusal extends Error {
  override name = "HttpRefusal";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function refusal(
  request: Request,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const res =
    request.headers.get("hx-request") === "true"
      ? htmlResponse(partial({ ...noticeRegion(errorNotice(message)), swap: "innerHTML" }), status)
      : htmlResponse(
          page({ title: "Not possible", section: "none", body: html`<h1>Not possible</h1>${errorNotice(message)}` }),
          status,
        );
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}
