import type { Html } from "../views/html";

// Every page is live data, and some answers hold a key shown once: no HTML answer is ever cached.
export const htmlResponse = (body: Html, status = 200): Response =>
  new Response(body.value, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
