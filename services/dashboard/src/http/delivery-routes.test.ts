/** The Deliveries page and its buttons through app.handle, against a stand-in for the delivery client. */
import { expect, test } from "bun:test";
import { quietLogger } from "@iot/common/testing";
import { testAccess } from "../../test/access";
import { type DeliveryClient, type DeliveryStatus, DeliveryUnavailable } from "../delivery/client";
import { deliveryRoutes } from "./delivery-routes";
import { errorResponses } from "./errors";
import { operatorGuard } from "./operator-guard";
import { allowedHostNames, security } from "./security";

const A1 = "0195f3a0-0000-7000-8000-000000000001";
const A2 = "0195f3a0-0000-7000-8000-000000000002";

const row = (over: Partial<DeliveryStatus> = {}): DeliveryStatus => ({
  app_id: A1,
  app_name: "<b>Ops</b>",
  channel: "webhook",
  state: "failing",
  delivered: 1200,
  retrying: 3,
  parked: 7,
  skipped: 0,
  last_error: "HTTP 503: <down>",
  last_error_at: "2026-11-30T00:00:00.000Z",
  last_delivered_at: null,
  lag: 42,
  connections: 0,
  ...over,
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
  const { access, identify, loggedIn } = testAccess({ operators: new Map([["alice", "$argon2id$unused"]]) });
  const app = errorResponses(quietLogger())
    .use(security({ allowedHosts: allowedHostNames("127.0.0.1", []), maxBodyBytes: 4_096 }))
    .use(operatorGuard(access, identify))
    .use(deliveryRoutes({ delivery: client, identify }));
  const operator = loggedIn("alice");
  /** As a logged-in operator unless `as` says otherwise. */
  const send = (method: string, path: string, as: { cookie?: string } = { cookie: operator }) =>
    app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: { "hx-request": "true", ...(as.cookie ? { cookie: as.cookie } : {}) },
      }),
    );
  return { send, calls };
}

test("the page shows each application's channel, counts, lag and last error, escaped", async () => {
  const { send } = setup([
    row(),
    row({
      app_id: A2,
      app_name: "Stream app",
      channel: "stream",
      state: "ok",
      connections: 2,
      last_error: null,
      last_error_at: null,
    }),
  ]);
  const page = await (await send("GET", "/deliveries")).text();
  expect(page).toContain("&lt;b&gt;Ops&lt;/b&gt;");
  expect(page).not.toContain("<b>Ops</b>");
  expect(page).toContain("HTTP 503: &lt;down&gt;");
  expect(page).toContain("1,200");
  expect(page).toContain(`hx-post="/deliveries/${A1}/test-event"`);
  expect(page).toContain(`hx-post="/deliveries/${A1}/resume"`); // failing: the operator can resume it
  expect(page).not.toContain(`hx-post="/deliveries/${A2}/`); // a stream has no test event
});

test("send test event and resume answer with the outcome for the notice", async () => {
  const { send, calls } = setup([row()]);
  expect(await (await send("POST", `/deliveries/${A1}/test-event`)).text()).toContain(
    "Test event delivered (HTTP 204).",
  );
  expect(await (await send("POST", `/deliveries/${A1}/resume`)).text()).toContain("Delivery resumed.");
  expect(calls).toEqual([`test ${A1}`, `resume ${A1}`]);
});

test("someone who is not an operator sees the status but no buttons, and cannot use them", async () => {
  const { send, calls } = setup([row()]);
  const page = await (await send("GET", "/deliveries", {})).text();
  expect(page).toContain("&lt;b&gt;Ops&lt;/b&gt;");
  expect(page).toContain("Log in as an operator");
  expect(page).not.toContain("hx-post=");
  expect(await (await send("GET", "/deliveries/table", {})).text()).not.toContain("hx-post=");
  expect((await send("POST", `/deliveries/${A1}/test-event`, {})).status).toBe(401);
  expect((await send("POST", `/deliveries/${A1}/resume`, {})).status).toBe(401);
  expect(calls).toEqual([]);
});

test("an id that is not an application's never reaches the delivery service", async () => {
  const { send, calls } = setup([row()]);
  expect((await send("POST", "/deliveries/..%2F..%2Fmetrics/resume")).status).toBe(404);
  expect(calls).toEqual([]);
});

test("an unreachable delivery service is a message on the page", async () => {
  const { send } = setup([], true);
  const res = await send("GET", "/deliveries");
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("Delivery at http://delivery did not answer");
});
