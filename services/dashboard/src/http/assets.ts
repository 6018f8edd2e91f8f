/**
 * Static files: the dashboard's own from `web/`, and htmx with its SSE extension served straight
 * from node_modules, so the version in use is always the pinned one in package.json (no copies).
 */
import { join } from "node:path";
import { Elysia } from "elysia";

const WEB = join(import.meta.dir, "../../../../web");
const fromPackage = (path: string) => Bun.resolveSync(path, import.meta.dir);

// A Map, not an object: a name from the URL (`__proto__`, `constructor`) must find nothing.
const FILES = new Map<string, { path: string; type: string }>([
  ["dashboard.css", { path: join(WEB, "dashboard.css"), type: "text/css; charset=utf-8" }],
  ["htmx.min.js", { path: fromPackage("htmx.org/dist/htmx.min.js"), type: "text/javascript; charset=utf-8" }],
  ["hx-sse.js", { path: fromPackage("htmx.org/dist/ext/hx-sse.js"), type: "text/javascript; charset=utf-8" }],
]);

export const assetRoutes = () =>
  new Elysia({ name: "dashboard-assets" }).get("/assets/:name", ({ params, set }) => {
    const file = FILES.get(params.name);
    if (!file) {
      set.status = 404;
      return "Not found";
    }
    return new Response(Bun.file(file.path), {
      headers: { "content-type": file.type, "cache-control": "public, max-age=300" },
    });
  });
