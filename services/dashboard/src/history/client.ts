/**
 * The history service's series API as the dashboard reads it. Anything but an answer (unreachable,
 * timed out, a 4xx/5xx) is a HistoryUnavailable, which the page shows as such.
 */
export interface HistoryPoint {
  t: number;
  count: number | null;
  avg: number;
  min: number;
  max: number;
  last: number;
}

export interface HistorySeries {
  level: string;
  width_ms: number;
  series: Array<{ metric: string; points: HistoryPoint[] }>;
}

export class HistoryUnavailable extends Error {
  override name = "HistoryUnavailable";
}

export function createHistoryClient(opts: { url: string; timeoutMs: number }) {
  const get = async <T>(path: string): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${opts.url}${path}`, { signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (e) {
      throw new HistoryUnavailable(`history service unreachable: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!res.ok) throw new HistoryUnavailable(`history service answered ${res.status}`);
    try {
      return (await res.json()) as T;
    } catch {
      throw new HistoryUnavailable("history service answered something other than JSON");
    }
  };
  const range =
    (kind: "series" | "trends") => (id: string, metrics: string[], from: number, to: number, points: number) => {
      const q = new URLSearchParams({ from: String(from), to: String(to), points: String(points) });
      metrics.forEach((m) => q.append("metric", m));
      return get<HistorySeries>(`/api/devices/${encodeURIComponent(id)}/${kind}?${q}`);
    };
  return {
    /** Metric names with a stored value, for the device. */
    metrics: async (id: string) =>
      (await get<{ metrics: Array<{ metric: string }> }>(`/api/devices/${encodeURIComponent(id)}/latest`)).metrics.map(
        (m) => m.metric,
      ),
    series: range("series"),
    trends: range("trends"),
  };
}
export type HistoryClient = ReturnType<typeof createHistoryClient>;
