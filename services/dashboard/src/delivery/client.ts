/**
 * The delivery service's status API as the dashboard uses it. Operator actions (resume, test event)
 * carry the dashboard's admin token, as its registry writes do.
 */
import type { DeliveryStatusJson } from "../../../delivery/src/delivery-status";

export type DeliveryStatus = DeliveryStatusJson;

export class DeliveryUnavailable extends Error {
  override name = "DeliveryUnavailable";
}

export interface DeliveryClient {
  statuses(): Promise<DeliveryStatus[]>;
  resume(appId: string): Promise<string>;
  /** What the application's endpoint answered, in words. */
  testEvent(appId: string): Promise<string>;
}

export function createDeliveryClient(opts: {
  url: string;
  token: string | undefined;
  timeoutMs: number;
}): DeliveryClient {
  const call = async (method: string, path: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    let res: Response;
    try {
      res = await fetch(`${opts.url}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(opts.token && method !== "GET" ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        // A test event waits for the application's endpoint: give it the delivery service's own timeout room.
        signal: AbortSignal.timeout(method === "GET" ? opts.timeoutMs : Math.max(opts.timeoutMs, 15_000)),
      });
    } catch (e) {
      throw new DeliveryUnavailable(
        `Delivery at ${opts.url} did not answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 500 || res.status === 401 || res.status === 403)
      throw new DeliveryUnavailable(`Delivery answered ${res.status}: ${String(json.error ?? res.statusText)}`);
    return { status: res.status, json };
  };
  const path = (id: string) => `/api/v1/deliveries/${encodeURIComponent(id)}`;
  return {
    async statuses() {
      const { json } = await call("GET", "/api/v1/deliveries");
      return Array.isArray(json.deliveries) ? (json.deliveries as DeliveryStatus[]) : [];
    },
    async resume(appId) {
      const { status, json } = await call("POST", `${path(appId)}/resume`);
      return status === 200 ? "Delivery resumed." : String(json.error ?? `refused (${status})`);
    },
    async testEvent(appId) {
      const { status, json } = await call("POST", `${path(appId)}/test-event`);
      if (status !== 200) return String(json.error ?? `refused (${status})`);
      return json.delivered
        ? `Test event delivered (HTTP ${String(json.status)}).`
        : `Test event not delivered: ${String(json.error)}`;
    },
  };
}
