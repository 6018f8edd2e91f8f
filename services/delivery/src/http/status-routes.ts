/**
 * Per-application delivery status (what the dashboard reads) and the operator's actions: resume a
 * failing application, and send a signed test event to its webhook. Actions are guarded like the
 * registry's writes (REGISTRY_ADMIN_TOKEN, or loopback only when none is set).
 */
import { PermissionDeniedError, UnauthenticatedError, type WriteGuard } from "@iot/app-registry/contract";
import { Elysia } from "elysia";
import { type DeliveryStatus, statusJson } from "../delivery-status";
import type { Targets } from "../targets";
import type { Outcome } from "../webhook-sender";

export interface StatusRoutesDeps {
  status: DeliveryStatus;
  targets: Targets;
  guard: WriteGuard;
  sendTestEvent: (appId: string) => Promise<Outcome>;
}

const notFound = () => Response.json({ error: "No delivery for this application" }, { status: 404 });

export function statusRoutes({ status, targets, guard, sendTestEvent }: StatusRoutesDeps) {
  const authorize = (request: Request, address: string | undefined): Response | undefined => {
    try {
      guard({ authorization: request.headers.get("authorization"), remoteAddress: address });
    } catch (e) {
      if (e instanceof UnauthenticatedError)
        return Response.json({ error: e.message }, { status: 401, headers: { "www-authenticate": "Bearer" } });
      if (e instanceof PermissionDeniedError) return Response.json({ error: e.message }, { status: 403 });
      throw e;
    }
  };
  const forApp = (appId: string) => status.list().filter((s) => s.appId === appId);

  return new Elysia({ name: "status-routes" })
    .get("/api/v1/deliveries", () => {
      const deliveries = status.list().map(statusJson);
      return { deliveries, count: deliveries.length, registry_current: targets.current };
    })
    .get("/api/v1/deliveries/:app_id", ({ params }) => {
      const found = forApp(params.app_id);
      return found.length === 0 ? notFound() : { deliveries: found.map(statusJson) };
    })
    .post(
      "/api/v1/deliveries/:app_id/resume",
      ({ params, request, server }) => {
        const refused = authorize(request, server?.requestIP(request)?.address);
        if (refused) return refused;
        const webhook = status.get(params.app_id, "webhook");
        if (!webhook) return notFound();
        webhook.failing = false;
        webhook.retrying = 0;
        return { message: "Delivery resumed", delivery: statusJson(webhook) };
      },
      { parse: "none" },
    )
    .post(
      "/api/v1/deliveries/:app_id/test-event",
      async ({ params, request, server }) => {
        const refused = authorize(request, server?.requestIP(request)?.address);
        if (refused) return refused;
        const t = targets.get(params.app_id);
        if (!t?.webhookUrl || !t.webhookSecret)
          return Response.json({ error: "This application has no webhook" }, { status: 404 });
        const outcome = await sendTestEvent(t.id);
        return outcome.kind === "delivered"
          ? { delivered: true, status: outcome.status }
          : { delivered: false, error: outcome.error };
      },
      { parse: "none" },
    );
}
