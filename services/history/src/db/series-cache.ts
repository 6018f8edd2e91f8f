/** Series ids by (device, metric) in a batch, and the cache of those known to be committed. */
import { createPairMap, type PairMap } from "../pair-map";

const LIMIT = 200_000;

export type SeriesIds = PairMap<string, number>;

export const createSeriesIds = (): SeriesIds => createPairMap<string, number>();

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
