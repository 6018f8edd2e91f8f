/**
 * The OpenAPI UI at /openapi: Swagger UI from the pinned `swagger-ui-dist` package, served by the
 * registry itself, so it works offline and loads nothing from another origin. The page has no
 * inline script or style, which lets its Content-Security-Policy forbid both.
 */
import { Elysia } from "elysia";

/** Swagger UI's own start-up, as a file (an inline script would need 'unsafe-inline'). */
const START = `window.ui = SwaggerUIBundle({
  url: "/openapi/json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // No badge from validator.swagger.io: the page talks to this registry only.
  validatorUrl: null,
  // "Try it out" on a body-less write (DELETE, regenerate-key) sends no content type, which the
  // registry refuses (415): every write declares JSON.
  requestInterceptor: (req) => {
    if (req.method !== "GET" && !req.headers["Content-Type"]) req.headers["Content-Type"] = "application/json";
    return req;
  },
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>App Registry API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/openapi/ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/openapi/ui/swagger-ui-bundle.js"></script>
<script src="/openapi/ui/start.js"></script>
</body>
</html>
`;

/**
 * Same origin only. Swagger UI sets element styles through the DOM (allowed without
 * 'unsafe-inline'), draws its icons as data: images, and fetches /openapi/json and, on "Try it
 * out", this API.
 */
export const OPENAPI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

interface Asset {
  body: () => BodyInit;
  type: string;
}
const asset = (file: string, type: string): Asset => ({
  body: () => Bun.file(Bun.fileURLToPath(import.meta.resolve(`swagger-ui-dist/${file}`))),
  type,
});
const ASSETS = new Map<string, Asset>([
  ["swagger-ui.css", asset("swagger-ui.css", "text/css; charset=utf-8")],
  ["swagger-ui-bundle.js", asset("swagger-ui-bundle.js", "text/javascript; charset=utf-8")],
  ["start.js", { body: () => START, type: "text/javascript; charset=utf-8" }],
]);

const headers = (type: string) => ({
  "content-type": type,
  "content-security-policy": OPENAPI_CSP,
  "x-content-type-options": "nosniff",
});

export function openapiUi() {
  return new Elysia({ name: "openapi-ui" })
    .get("/openapi", () => new Response(PAGE, { headers: headers("text/html; charset=utf-8") }), {
      detail: { hide: true },
    })
    .get(
      "/openapi/ui/:file",
      ({ params, set }) => {
        const found = ASSETS.get(params.file);
        if (!found) {
          set.status = 404;
          return { error: "Endpoint not found" };
        }
        return new Response(found.body(), {
          headers: { ...headers(found.type), "cache-control": "public, max-age=3600" },
        });
      },
      { detail: { hide: true } },
    );
}
