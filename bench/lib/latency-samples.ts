/** Per-record times of part 2, as the latency consumer writes them and latency.ts reads them back. */
export interface LatencySample {
  /** The raw record's produce time (its `source-timestamp` header), epoch ms. */
  source: number;
  /** The enriched record's create time (enrichment's producer), epoch ms. */
  enriched: number;
  /** When the latency consumer received it, epoch ms. */
  consumed: number;
}

const FIELDS = 3;

export function createSampleBuffer() {
  let rows = new Float64Array(FIELDS << 16);
  let n = 0;
  return {
    add(s: LatencySample) {
      if (rows.length < (n + 1) * FIELDS) {
        const bigger = new Float64Array(rows.length * 2);
        bigger.set(rows);
        rows = bigger;
      }
      rows.set([s.source, s.enriched, s.consumed], n++ * FIELDS);
    },
    bytes: () => rows.subarray(0, n * FIELDS),
  };
}

export async function readSamples(path: string): Promise<LatencySample[]> {
  const rows = new Float64Array(await Bun.file(path).arrayBuffer());
  const out: LatencySample[] = [];
  for (let i = 0; i < rows.length; i += FIELDS)
    out.push({ source: rows[i]!, enriched: rows[i + 1]!, consumed: rows[i + 2]! });
  return out;
}
