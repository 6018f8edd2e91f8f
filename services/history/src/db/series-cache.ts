/**
 * Series ids by (device, metric), and the cache of those known to be committed. Keyed device
 * first, then metric, rather than by one joined string: a joined key is a new string per lookup
 * that must be flattened and hashed, which made the lookups (two per point) the largest single
 * cost of a PostgreSQL batch; the device and metric strings hash once and keep their hash.
 */
const LIMIT = 200_000;

export type SeriesIds = ReturnType<typeof createSeriesIds>;

export function createSeriesIds() {
  const byDevice = new Map<string, Map<string, number>>();
  let size = 0;
  return {
    get: (deviceId: string, metric: string) => byDevice.get(deviceId)?.get(metric),
    set(deviceId: string, metric: string, id: number) {
      let metrics = byDevice.get(deviceId);
      if (!metrics) byDevice.set(deviceId, (metrics = new Map()));
      if (!metrics.has(metric)) size++;
      metrics.set(metric, id);
    },
    get size() {
      return size;
    },
    forEach(f: (deviceId: string, metric: string, id: number) => void) {
      byDevice.forEach((metrics, deviceId) => metrics.forEach((id, metric) => f(deviceId, metric, id)));
    },
    clear() {
      byDevice.clear();
      size = 0;
    },
  };
}

/**
 * Bounded: a fleet of 100k devices has millions of series, and a miss costs one indexed lookup,
 * so past the limit the cache starts over rather than growing without end.
 */
export function createSeriesCache(limit = LIMIT) {
  const known = createSeriesIds();
  return {
    get: known.get,
    /** After a commit only: ids created in a transaction that rolled back do not exist. */
    commit(created: SeriesIds) {
      if (known.size + created.size > limit) known.clear();
      created.forEach(known.set);
    },
  };
}
