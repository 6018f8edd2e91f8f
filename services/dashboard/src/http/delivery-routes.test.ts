/** The Deliveries page and its buttons through app.handle, against a stand-in for the delivery client. */
import { expect, test } from "bun:test";
import { quietLogger } from "@iot/common/testing";
import { type DeliveryClient, type DeliveryStatus, DeliveryUnavailable } from "../delivery/client";
import { deliveryRoutes } from "./delivery-routes";
import { errorResponses } from "./errors";
import { security } from "./security";

const row = (over: Partial<DeliveryStatus> = {}): DeliveryStatus => ({
  app_id: "a1", app_name: "<b>Ops</b>", channel: "webhook", state: "failing", delivered: 1200, retrying: 3, parked: 7, skipped: 0,
  last_error: "HTTP 503: <down>", last_error_at: "2026-11-30T00:00:00.000Z", last_delivered_at: null, lag: 42, connections: 0, ...over,
});

function setup(rows: DeliveryStatus[], down = false) {
  const calls: string[] = [];
  const client: DeliveryClient = {
    async statuses() {
      if (down) throw new DeliveryUnavailable("Delivery at http://delivery did not answer");
      return rows;
    },
    resume: async (id) => (calls.push(`resume ${id}`), "Delivery resumed."),
    testEvent: async (id) => (calls.push(`test ${id}`), "Test event delivered (HTTP 204)."),
  };
  const app = errorResponses(quietLogger()).use(security()).use(deliveryRoutes(client));
  const send = (method: string, path: string) => app.handle(new Request(`http://localhost${path}`, { method, headers: { "hx-request": "true" } }));
  return { send, calls };
}

test("the page shows each application's channel, counts, lag and last error, escaped", async () => {
  const { send } = setup([row(), row({ app_id: "a2", app_name: "Stream app", channel: "stream", state: "ok", connections: 2, last_error: null, last_error_at: null })]);
  const page = await (await send("GET", "/deliveries")).text();
  expect(page).toContain("&lt;b&gt;Ops&lt;/b&gt;");
  expect(page).not.toContain("<b>Ops</b>");
  expect(page).toContain("HTTP 503: &lt;down&gt;");
  expect(page).toContain("1,200");
  expect(page).toContain(`hx-post="/deliveries/a1/test-event"`);
  expect(page).toContain(`hx-post="/deliveries/a1/resume"`); // failing: the operator can resume it
  expect(page).not.toContain(`hx-post="/deliveries/a2/`); // a stream has no test event
});

test("send test event and resume answer with the outcome for the notice", async () => {
  const { send, calls } = setup([row()]);
  expect(await (await send("POST", "/deliveries/a1/test-event")).text()).toContain("Test event delivered (HTTP 204).");
  expect(await (await send("POST", "/deliveries/a1/resume")).text()).toContain("Delivery resumed.");
  expect(calls).toEqual(["test a1", "resume a1"]);
});

test("an unreachable delivery service is a message on the page", async () => {
  const { send } = setup([], true);
  const res = await send("GET", "/deliveries");
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("Delivery at http://delivery did not answer");
});
