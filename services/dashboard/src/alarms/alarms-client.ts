/**
 * The alarms service's REST API as the dashboard uses it. A refusal (404, 409, 400) is an outcome
 * to show; an alarms service that cannot be reached is an AlarmsUnavailable the routes answer inline.
 */
export interface AlarmView {
  id: string;
  device_id: string;
  device_type: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  status: string;
  message: string;
  value: number | null;
  threshold: string;
  raised_at: string;
  cleared_at: string | null;
  acknowledgement: { by: string; at: string; note: string } | null;
}

export interface RuleView {
  device_type: string;
  id: string;
  kind: string;
  metric: string;
  condition: string;
  severity: string;
  thresholds?: number[];
}

export type Counts = Record<string, number>;
export interface AlarmFilter {
  device_id?: string;
  device_type?: string;
  severity?: string;
}

export class AlarmsUnavailable extends Error {
  override name = "AlarmsUnavailable";
}

export type AlarmsClient = ReturnType<typeof createAlarmsClient>;

/** `token`: the platform's admin token, which acknowledging needs (the dashboard only relays an operator's acknowledgement). */
export function createAlarmsClient(opts: { url: string; token: string | undefined; timeoutMs: number }) {
  const call = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> => {
    let res: Response;
    try {
      res = await fetch(`${opts.url}${path}`, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (e) {
      throw new AlarmsUnavailable(
        `the alarms service at ${opts.url} did not answer (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    if (res.status >= 500) throw new AlarmsUnavailable(`the alarms service answered ${res.status}`);
    return { status: res.status, body: await res.json() };
  };
  const query = (f: AlarmFilter) => new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString();
  return {
    active: async (f: AlarmFilter = {}): Promise<AlarmView[]> =>
      (await call(`/api/alarms?${query(f)}`)).body.alarms ?? [],
    counts: async (): Promise<Counts> => (await call("/api/alarms/counts")).body,
    get: async (id: string): Promise<AlarmView | undefined> => {
      const r = await call(`/api/alarms/${encodeURIComponent(id)}`);
      return r.status === 200 ? r.body : undefined;
    },
    async acknowledge(
      id: string,
      by: string,
      note: string,
    ): Promise<{ ok: true; alarm: AlarmView } | { ok: false; error: string }> {
      const r = await call(`/api/alarms/${encodeURIComponent(id)}/acknowledge`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        body: JSON.stringify({ by, note }),
      });
      return r.status === 200
        ? { ok: true, alarm: r.body }
        : { ok: false, error: String(r.body.error ?? `refused (${r.status})`) };
    },
    rules: async (): Promise<RuleView[]> => (await call("/api/alarm-rules")).body.rules ?? [],
  };
}
