/**
 * Experiment (not part of `bun run bench`): what enrichment's own per-record work costs, stage by
 * stage, with the functions the pipeline runs (decode, enrichmentOf, the splicing encoder, and the
 * whole batch handler on a bus whose publish does nothing) on the bench's realistic records, in one
 * process with no Kafka. Compare with the per-record CPU of the pipeline runs
 * (replica_cpu_us_per_msg) to see which share is enrichment's and which is the Kafka client's.
 * Figures are CPU time (process.cpuUsage), so other load on the machine inflates them less than
 * wall time would.
 *   bun bench/experiments/codec-costs.ts [--records 50000]
 */
import { parseArgs } from "node:util";
import type { Batch, EventBus } from "@iot/common/bus";
import { createEnrichedEncoder, decodeDeviceEvent, type PayloadFormat, timestampNow } from "@iot/common/codec";
import type { DeviceEvent, Enrichment } from "@iot/common/telemetry";
import { type EnrichContext, enrichmentOf } from "../../services/enrichment/src/enrich";
import { enrichmentHandler, exampleContext, rawIncoming } from "../lib/enrichment-inputs";
import { printTable, round } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: { records: { type: "string", default: "50000" } },
});
const BATCH = 1_000;
const formats: PayloadFormat[] = ["json", "protobuf"];
const raw = await rawIncoming(Number(flags.records), formats);
const context = await exampleContext();
const ctx: EnrichContext = { ...context(), enrichedAt: timestampNow() };

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** CPU µs per item of `fn` over every item, best of three passes (JIT warm after the first). */
async function time<T>(items: T[], fn: (x: T) => unknown, per = items.length): Promise<number> {
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = cpuUs();
    for (const x of items) await fn(x);
    best = Math.min(best, (cpuUs() - t0) / per);
  }
  return round(best, 2);
}

// The handler as the service runs it, publishing nowhere: enrichment's whole share of a record.
const nowhere = { publish: async () => {} } as unknown as EventBus;
const handlerOf = (format: PayloadFormat) => enrichmentHandler(format, nowhere);

const rows = [];
for (const format of formats) {
  const records = raw.get(format)!;
  const decoded: DeviceEvent[] = records.map((r) => decodeDeviceEvent(r.value, r.headers));
  const enrichments: Enrichment[] = decoded.map((e) => enrichmentOf(e, ctx));
  const encode = createEnrichedEncoder(format);
  const indexes = decoded.map((_, i) => i);
  const batches: Batch[] = [];
  for (let i = 0; i < records.length; i += BATCH)
    batches.push({ topic: "iot.raw", partition: 0, records: records.slice(i, i + BATCH) });
  const handler = await handlerOf(format);
  const decode = await time(records, (r) => decodeDeviceEvent(r.value, r.headers));
  const enrichUs = await time(decoded, (e) => enrichmentOf(e, ctx));
  const encodeUs = await time(indexes, (i) =>
    encode(decoded[i]!, enrichments[i]!, format === "protobuf" ? records[i]!.value : undefined),
  );
  rows.push({
    format,
    decode_us: decode,
    enrich_us: enrichUs,
    encode_us: encodeUs,
    // Decode + enrich + encode plus what the handler adds per record (headers, key, metrics).
    handler_us: await time(batches, handler, records.length),
    bytes_in: Math.round(records.reduce((n, r) => n + r.value.byteLength, 0) / records.length),
    bytes_out: Math.round(
      indexes.reduce((n, i) => n + encode(decoded[i]!, enrichments[i]!, records[i]!.value).value.byteLength, 0) /
        records.length,
    ),
  });
}
printTable(`Enrichment's own work per record (CPU µs, ${raw.get("json")!.length} records, best of 3 passes)`, rows);
