/** The Alarms page and its fragments, answered from the alarms service's API. */
import { Elysia } from "elysia";
import { htmlResponse } from "../http/respond";
import { html, type Html } from "../views/html";
import { type AlarmFilter, type AlarmsClient, AlarmsUnavailable } from "./alarms-client";
import { ackForm, alarmsPage, alarmTable, countsBadge, SEVERITIES, unavailable } from "./alarm-views";

/** Only single, non-empty strings count (a repeated parameter arrives as a list). */
const filterOf = (q: Record<string, unknown>): AlarmFilter => {
  const one = (k: string, max: number) =>
    typeof q[k] === "string" && q[k] !== "" ? (q[k] as string).slice(0, max) : undefined;
  const [device_id, device_type, severity] = [one("device_id", 200), one("device_type", 64), one("severity", 20)];
  return {
    ...(device_id && { device_id }),
    ...(device_type && { device_type }),
    ...(severity && SEVERITIES.includes(severity) && { severity }),
  };
};

/** The alarms service down is a message in the page, never a broken dashboard. */
async function orUnavailable(
  render: () => Promise<Html>,
  fallback: (why: string) => Html = unavailable,
): Promise<Html> {
  try {
    return await render();
  } catch (e) {
    if (e instanceof AlarmsUnavailable) return fallback(e.message);
    throw e;
  }
}

export function alarmRoutes(alarms: AlarmsClient) {
  const table = (f: AlarmFilter, device = false) =>
    orUnavailable(async () => alarmTable(await alarms.active(f), { device }));
  return new Elysia({ name: "dashboard-alarms" })
    .get("/alarms", async ({ query }) => htmlResponse(alarmsPage(filterOf(query), await table(filterOf(query)))))
    .get("/alarms/table", async ({ query }) => htmlResponse(await table(filterOf(query))))
    .get("/alarms/counts", async () =>
      htmlResponse(
        await orUnavailable(
          async () => countsBadge(await alarms.counts()),
          () => countsBadge(undefined),
        ),
      ),
    )
    .get("/alarms/device/:id", async ({ params }) => htmlResponse(await table({ device_id: params.id }, true)))
    .get("/alarms/:id/acknowledge", async ({ params }) =>
      htmlResponse(
        await orUnavailable(async () => {
          const a = await alarms.get(params.id);
          return a ? ackForm(a) : html`<p class="error">That alarm no longer exists.</p>`;
        }),
      ),
    )
    .post(
      "/alarms/:id/acknowledge",
      async ({ params, request }) => {
        const form = await request.formData();
        const text = (k: string) => {
          const v = form.get(k);
          return typeof v === "string" ? v : "";
        };
        return htmlResponse(
          await orUnavailable(async () => {
            const result = await alarms.acknowledge(params.id, text("by"), text("note"));
            if (result.ok)
              return html`<p class="ok">Acknowledged <strong>${result.alarm.rule_name}</strong> on <code>${result.alarm.device_id}</code>.</p>`;
            const a = await alarms.get(params.id);
            return a ? ackForm(a, result.error) : html`<p class="error">${result.error}</p>`;
          }),
        );
      },
      { parse: "none" },
    );
}
