import type { Html } from "../views/html";

export const htmlResponse = (body: Html, status = 200): Response =>
  new Response(body.value, { status, headers: { "content-type": "text/html; charset=utf-8" } });
