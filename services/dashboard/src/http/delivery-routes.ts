/** The Deliveries page (polled table) and its operator actions, answered as the notice's new content. */
import { Elysia } from "elysia";
import { type DeliveryClient, DeliveryUnavailable } from "../delivery/client";
import { deliveriesPage, deliveriesTable } from "../views/deliveries";
import { html } from "../views/html";
import { htmlResponse } from "./respond";

export function deliveryRoutes(delivery: DeliveryClient) {
  // An unreachable delivery service is a message on the page, not an error page.
  const guarded = async (action: () => Promise<string>) => {
    try {
      return htmlResponse(html`<p class="ok">${await action()}</p>`);
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
    .get("/deliveries", async () => htmlResponse(deliveriesPage(await rows())))
    .get("/deliveries/table", async () => {
      const r = await rows();
      return htmlResponse("error" in r ? html`<p class="error">${r.error}</p>` : deliveriesTable(r));
    })
    .post("/deliveries/:id/test-event", ({ params }) => guarded(() => delivery.testEvent(params.id)), { parse: "none" })
    .post("/deliveries/:id/resume", ({ params }) => guarded(() => delivery.resume(params.id)), { parse: "none" });
}
