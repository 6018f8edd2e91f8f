/**
 * What the delivery service needs from the registry, beyond what WatchApplications carries: the
 * webhook signing secret (stored as is, since it must sign) and the api key's hash (to check a
 * stream client's key the same way the registry would). Admin-authenticated like every write, so
 * no other reader (enrichment, the dashboard's listing) ever sees a secret.
 */
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { WriteGuard } from "../auth";
import type { Registry } from "../registry";
import { docs } from "./openapi";

export function deliveryRoutes({ registry, guard }: { registry: Registry; guard: WriteGuard }) {
  const authorize = (request: Request, server: Server<unknown> | null) =>
    guard({ authorization: request.headers.get("authorization"), remoteAddress: server?.requestIP(request)?.address });
  return new Elysia({ name: "delivery-routes" })
    .get(
      "/api/applications/:id/delivery-credentials",
      async ({ params, request, server, set }) => {
        authorize(request, server);
        const { apiKeyHash, webhookSecret } = await registry.deliveryCredentials(params.id);
        set.headers["cache-control"] = "no-store";
        return { api_key_sha256: apiKeyHash, webhook_secret: webhookSecret };
      },
      { detail: docs.deliveryCredentials },
    )
    .post(
      "/api/applications/:id/rotate-webhook-secret",
      async ({ params, request, server }) => {
        authorize(request, server);
        return { message: "Webhook secret rotated", webhook_secret: await registry.rotateWebhookSecret(params.id) };
      },
      { parse: "none", detail: docs.rotateWebhookSecret },
    );
}
