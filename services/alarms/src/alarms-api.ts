/**
 * What REST, RPC and the dashboard can ask of the alarms service: the same checks and the same
 * answers whichever way the question comes.
 */
import { type AlarmRule, SEVERITIES, type Severity } from "@iot/common/alarm-rules";
import { type DeviceRegistry, parseDeviceRegistry, RegistryFileError } from "@iot/common/device-registry";
import type { Alarm, AlarmEvent } from "./alarm";
import type { AlarmFeed } from "./alarm-feed";
import type { AlarmStore } from "./db/store";
import { AlarmsError, invalid } from "./errors";

export const MAX_HISTORY = 1_000;
const DAY_MS = 86_400_000;

export interface AlarmsApiDeps {
  store: AlarmStore;
  acknowledge: (alarmId: string, by: string, note: string) => Promise<Alarm | undefined>;
  registry: () => DeviceRegistry;
  feed: AlarmFeed;
  active: () => Alarm[];
  now: () => number;
}

export type AlarmsApi = ReturnType<typeof createAlarmsApi>;

export function createAlarmsApi(deps: AlarmsApiDeps) {
  const severityOf = (s: string | undefined): Severity | undefined => {
    if (s === undefined || s === "") return undefined;
    if (!SEVERITIES.includes(s as Severity))
      throw invalid(`severity: expected one of ${SEVERITIES.join(", ")}, got "${s.slice(0, 40)}"`);
    return s as Severity;
  };
  const text = (name: string, v: string | undefined, max: number) => {
    if (v !== undefined && v.length > max) throw invalid(`${name}: at most ${max} characters`);
    return v === "" ? undefined : v;
  };

  return {
    listActive(q: { deviceId?: string; deviceType?: string; severity?: string }) {
      const deviceId = text("device_id", q.deviceId, 200);
      const deviceType = text("device_type", q.deviceType, 64);
      const severity = severityOf(q.severity);
      return deps.store.active({
        ...(deviceId && { deviceId }),
        ...(deviceType && { deviceType }),
        ...(severity && { severity }),
      });
    },

    /** Active alarms by severity, from memory (cheap enough for every page header). */
    counts(): Record<Severity, number> {
      const n = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      for (const a of deps.active()) n[a.severity]++;
      return n;
    },

    /** `from`/`to` are epoch ms; default: the last 24 hours. */
    history(q: { from?: number; to?: number; deviceId?: string; limit?: number }): Promise<AlarmEvent[]> {
      const to = q.to ?? deps.now() + 1;
      const from = q.from ?? to - DAY_MS;
      if (!Number.isFinite(from) || !Number.isFinite(to)) throw invalid("from/to: expected RFC 3339 times");
      if (from > to) throw invalid("from: must not be after to");
      const limit = q.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY)
        throw invalid(`limit: expected an integer from 1 to ${MAX_HISTORY}`);
      const deviceId = text("device_id", q.deviceId, 200);
      return deps.store.history({ from, to, limit, ...(deviceId && { deviceId }) });
    },

    async get(alarmId: string): Promise<Alarm> {
      const a = await deps.store.get(alarmId);
      if (!a) throw new AlarmsError("not_found", `no alarm "${alarmId.slice(0, 80)}"`);
      return a;
    },

    async acknowledge(alarmId: string, by: string, note: string): Promise<Alarm> {
      if (by.trim() === "") throw invalid("by: who acknowledges is required");
      text("by", by, 100);
      text("note", note, 1000);
      const alarm = await deps.acknowledge(alarmId, by.trim(), note);
      if (alarm) return alarm;
      const known = await deps.store.get(alarmId);
      if (known)
        throw new AlarmsError(
          "failed_precondition",
          `alarm "${alarmId}" is cleared; only active alarms can be acknowledged`,
        );
      throw new AlarmsError("not_found", `no alarm "${alarmId.slice(0, 80)}"`);
    },

    rules(deviceType?: string): Array<{ deviceType: string; rule: AlarmRule }> {
      const all = [...deps.registry().alarmRules].flatMap(([t, rules]) =>
        rules.map((rule) => ({ deviceType: t, rule })),
      );
      return deviceType ? all.filter((r) => r.deviceType === deviceType) : all;
    },

    /** Checks a device registry document without applying it (the file is applied by saving it). */
    validate(json: string): { valid: boolean; problems: string[] } {
      let doc: unknown;
      try {
        doc = JSON.parse(json);
      } catch (e) {
        return { valid: false, problems: [`not JSON: ${e instanceof Error ? e.message : String(e)}`] };
      }
      try {
        parseDeviceRegistry(doc);
        return { valid: true, problems: [] };
      } catch (e) {
        if (e instanceof RegistryFileError) return { valid: false, problems: e.message.split("; ") };
        throw e;
      }
    },

    watch: (signal: AbortSignal, deviceId?: string) => filterWatch(deps.feed.watch(signal), deviceId),
  };
}

async function* filterWatch(events: AsyncGenerator<AlarmEvent>, deviceId?: string) {
  for await (const e of events) if (!deviceId || e.alarm.deviceId === deviceId) yield e;
}
