/**
 * The alarms REST API: decode the query or body → the same calls as RPC → JSON. Errors are mapped
 * once, in `onError`: AlarmsError → 400/404/409, anything unexpected → 500 with no detail.
 */
import { Elysia } from "elysia";
import { errorMessage, type Logger } from "@iot/common/logger";
import { alarmEventJson, alarmJson } from "../alarm-json";
import type { AlarmsApi } from "../alarms-api";
import { AlarmsError, invalid } from "../errors";
import { ruleJson } from "./rule-json";

const STATUS = { invalid_argument: 400, not_found: 404, failed_precondition: 409 } as const;
export const MAX_BODY_BYTES = 1024 * 1024;

const time = (name: string, v: string | undefined) => {
  if (v === undefined || v === "") return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw invalid(`${name}: expected an RFC 3339 time, got "${v.slice(0, 40)}"`);
  return ms;
};
const int = (name: string, v: string | undefined) => {
  if (v === undefined || v === "") return undefined;
  if (!/^\d{1,9}$/.test(v)) throw invalid(`${name}: expected a positive integer`);
  return Number(v);
};

async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const ct = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (ct !== "application/json") throw invalid("expected a JSON body (content-type: application/json)");
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw invalid(`body: at most ${MAX_BODY_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw invalid(`body: not valid JSON (${errorMessage(e)})`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("body: expected a JSON object");
  return doc as Record<string, unknown>;
}

const optionalString = (doc: Record<string, unknown>, name: string) => {
  const v = doc[name];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw invalid(`${name}: expected a string`);
  return v;
};

export function alarmRoutes(api: AlarmsApi, log: Logger) {
  return new Elysia({ name: "alarm-routes" })
    .onError({ as: "global" }, ({ code, error, set }) => {
      if (error instanceof AlarmsError) {
        set.status = STATUS[error.code];
        return { error: error.message };
      }
      if (code === "NOT_FOUND") {
        set.status = 404;
        return { error: "no such route" };
      }
      log.error("request failed", { error: errorMessage(error) });
      set.status = 500;
      return { error: "internal error" };
    })
    .get("/api/alarms", async ({ query }) => {
      const alarms = await api.listActive({
        deviceId: query.device_id,
        deviceType: query.device_type,
        severity: query.severity,
      });
      return { alarms: alarms.map(alarmJson), count: alarms.length };
    })
    .get("/api/alarms/counts", () => api.counts())
    .get("/api/alarms/history", async ({ query }) => {
      const events = await api.history({
        from: time("from", query.from),
        to: time("to", query.to),
        deviceId: query.device_id,
        limit: int("limit", query.limit),
      });
      return { events: events.map(alarmEventJson), count: events.length };
    })
    .get("/api/alarms/:id", async ({ params }) => alarmJson(await api.get(params.id)))
    .post(
      "/api/alarms/:id/acknowledge",
      async ({ params, request }) => {
        const body = await jsonBody(request);
        return alarmJson(await api.acknowledge(params.id, optionalString(body, "by"), optionalString(body, "note")));
      },
      { parse: "none" },
    )
    .get("/api/alarm-rules", ({ query }) => {
      const rules = api.rules(query.device_type || undefined);
      return { rules: rules.map(({ deviceType, rule }) => ruleJson(deviceType, rule)), count: rules.length };
    })
    .post(
      "/api/alarm-rules/validate",
      async ({ request }) => {
        const text = await request.text();
        if (text.length > MAX_BODY_BYTES) throw invalid(`body: at most ${MAX_BODY_BYTES} bytes`);
        return api.validate(text);
      },
      { parse: "none" },
    );
}
