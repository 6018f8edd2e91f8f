/**
 * Series ids (device, metric) → id that are known to be committed. Bounded: a fleet of 100k
 * devices has millions of series, and a miss costs one indexed lookup, so past the limit the
 * cache starts over rather than growing without end.
 */
const LIMIT = 200_000;

export const seriesKey = (deviceId: string, metric: string) => `${deviceId}\u0000${metric}`;

export function createSeriesCache(limit = LIMIT) {
  const known = new Map<string, number>();
  return {
    get: (key: string) => known.get(key),
    /** After a commit only: ids created in a transaction that rolled back do not exist. */
    commit(created: Map<string, number>) {
      if (known.size + created.size > limit) known.clear();
      created.forEach((id, key) => known.set(key, id));
    },
  };
}
