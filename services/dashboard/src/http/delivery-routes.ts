/**
 * The Deliveries page (polled table) and its operator actions, answered as the notice's new content.
 * The actions are writes, so operator-guard.ts refuses them to anyone else; the page shows their
 * buttons to operators only.
 */
import { Elysia } from "elysia";
import { type DeliveryClient, DeliveryUnavailable } from "../delivery/client";
import { deliveriesPage, deliveriesTable } from "../views/deliveries";
import { html } from "../views/html";
import { isRegistryId } from "./application-routes";
import type { Identify } from "./operator-guard";
import { htmlResponse } from "./respond";

export function deliveryRoutes({ delivery, identify }: { delivery: DeliveryClient; identify: Identify }) {
  // An unreachable delivery service is a message on the page, not an error page.
  const guarded = async (id: string, action: (id: string) => Promise<string>) => {
    if (!isRegistryId(id)) return htmlResponse(html`<p class="error">No such application.</p>`, 404);
    try {
      return htmlResponse(html`<p class="ok">${await action(id)}</p>`);
    } catch (e) {
      if (!(e instanceof DeliveryUnavailable)) throw e;
      return htmlResponse(html`<p class="error">${e.message}</p>`, 502);
    }
  };
  const rows = async () => {
    try {
      return await delivery.statuses();
    } catch (e) {
      if (!(e instanceof DeliveryUnavailable)) throw e;
      return { error: e.message };
    }
  };
  return new Elysia({ name: "dashboard-deliveries" })
    .get("/deliveries", async ({ request, server }) =>
      htmlResponse(deliveriesPage(await rows(), identify.operator(request, server) !== undefined)),
    )
    .get("/deliveries/table", async ({ request, server }) => {
      const r = await rows();
      return htmlResponse(
        "error" in r
          ? html`<p class="error">${r.error}</p>`
          : deliveriesTable(r, identify.operator(request, server) !== undefined),
      );
    })
    .post("/deliveries/:id/test-event", ({ params }) => guarded(params.id, (id) => delivery.testEvent(id)), {
      parse: "none",
    })
    .post("/deliveries/:id/resume", ({ params }) => guarded(params.id, (id) => delivery.resume(id)), { parse: "none" });
}
