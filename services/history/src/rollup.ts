/**
 * Roll-ups: per series and wall-clock-aligned bucket, count, sum (avg = sum/count), min, max and
 * the last value with its time. A batch's newly stored points fold into partial roll-ups that the
 * store merges into what it holds (counts add, min/max combine, the later `last` wins), so
 * storing a point once is the only way it can count.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export interface Rollup {
  seriesId: number;
  bucket: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  lastTs: number;
}

export interface StoredPoint {
  seriesId: number;
  ts: number;
  value: number;
}

const bucketOf = (ts: number, width: number) => Math.floor(ts / width) * width;

/**
 * Partial roll-ups of `points` in buckets of `width` ms, sorted by (series, bucket) so concurrent
 * writers lock rows in one order. Keyed by number, series then bucket: a `series:bucket` string per
 * point cost more than the folding itself.
 */
export function foldRollups(points: StoredPoint[], width: number): Rollup[] {
  const bySeries = new Map<number, Map<number, Rollup>>();
  const out: Rollup[] = [];
  for (const p of points) {
    const bucket = bucketOf(p.ts, width);
    let buckets = bySeries.get(p.seriesId);
    if (!buckets) bySeries.set(p.seriesId, (buckets = new Map()));
    const r = buckets.get(bucket);
    if (!r) {
      const fresh = {
        seriesId: p.seriesId,
        bucket,
        count: 1,
        sum: p.value,
        min: p.value,
        max: p.value,
        last: p.value,
        lastTs: p.ts,
      };
      buckets.set(bucket, fresh);
      out.push(fresh);
      continue;
    }
    r.count++;
    r.sum += p.value;
    if (p.value < r.min) r.min = p.value;
    if (p.value > r.max) r.max = p.value;
    if (p.ts >= r.lastTs) [r.last, r.lastTs] = [p.value, p.ts];
  }
  return out.sort((a, b) => a.seriesId - b.seriesId || a.bucket - b.bucket);
}
