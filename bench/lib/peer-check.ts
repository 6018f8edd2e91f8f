/**
 * Before anything is timed, the Kafka Streams peer and our enrichment must do the same work: both
 * read the same small topic (one record of each event type × device type from the benchmark's
 * data, edge cases that exercise detection, data quality and timestamp rewriting, and poison), and
 * each output record must equal ours field by field (all but `enriched_at`), each dead letter carry
 * the same reason.
 */
import type { IncomingRecord, OutgoingRecord } from "@iot/common/bus";
import { DLQ_HEADER, HEADER } from "@iot/common/wire";
import type { Row } from "./table";

const utf8 = new TextEncoder();
const text = new TextDecoder();
const json = (doc: unknown): OutgoingRecord => ({
  key: "check-device",
  value: utf8.encode(JSON.stringify(doc)),
  headers: { [HEADER.contentType]: "application/json" },
});

/** Remembers the first record of each event type × device type it is shown. */
export function createSampler() {
  const samples = new Map<string, OutgoingRecord>();
  return {
    see(records: OutgoingRecord[]) {
      for (const r of records) {
        const doc = JSON.parse(text.decode(r.value)) as { event_type: string; device_type: string };
        const kind = `${doc.event_type}/${doc.device_type}`;
        if (!samples.has(kind)) samples.set(kind, r);
      }
    },
    kinds: () => [...samples.keys()],
    /** The samples, then edge cases and poison made from the first telemetry sample. */
    records(): OutgoingRecord[] {
      const first = [...samples.values()].map((r) => JSON.parse(text.decode(r.value)));
      const telemetry = first.find((d) => d.event_type === "telemetry");
      const trends = first.find((d) => d.event_type === "trends");
      if (!telemetry || !trends)
        throw new Error(`the check needs telemetry and trends; saw ${this.kinds().join(", ")}`);
      const [firstGroup, ...otherGroups] = Object.keys(telemetry.measurements);
      const groups = Object.fromEntries(otherGroups.map((g) => [g, telemetry.measurements[g]]));
      const outOfRange = Object.fromEntries(
        Object.entries(telemetry.measurements as Record<string, Record<string, unknown>>).map(([g, v]) => [
          g,
          Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "number" ? x * 1000 + 1 : x])),
        ]),
      );
      return [
        ...samples.values(),
        // Detected from its groups, a group missing, an offset timestamp rewritten to UTC.
        json({ ...telemetry, device_type: "", timestamp: "2025-08-19T17:40:37.5+02:00", measurements: groups }),
        json({ ...telemetry, measurements: outOfRange }),
        json({ ...telemetry, device_type: "not_in_the_registry" }),
        json({ ...trends, trends: trends.trends.map((p: { max: number }) => ({ ...p, max: p.max * 1000 + 1 })) }),
        json({ ...telemetry, measurements: { [firstGroup!]: telemetry.measurements[firstGroup!] } }),
        // Poison, one per reason.
        { key: "check-device", value: utf8.encode("not json {"), headers: {} },
        json([1, 2]),
        json({ device_type: "smart_meter", measurements: {} }),
        json({ ...telemetry, extra: 1 }),
        json({ ...telemetry, timestamp: "yesterday" }),
        json({ ...trends, trends: [{ ...trends.trends[0], t: 1.5 }] }),
        { ...json(telemetry), headers: { [HEADER.contentType]: "text/plain" } },
      ];
    },
  };
}

/** Field-by-field comparison of two consumers' outputs of the check topic; one row per input record. */
export function compareOutputs(
  ours: { enriched: IncomingRecord[]; dead: IncomingRecord[] },
  peer: { enriched: IncomingRecord[]; dead: IncomingRecord[] },
  inputCount: number,
): Array<Row & { same: boolean }> {
  const byOffset = (o: { enriched: IncomingRecord[]; dead: IncomingRecord[] }) =>
    new Map([
      ...o.enriched.map((r) => [r.headers[HEADER.messageId]!.split("/").at(-1)!, r] as const),
      ...o.dead.map((r) => [r.headers[DLQ_HEADER.offset]!, r] as const),
    ]);
  const [a, b] = [byOffset(ours), byOffset(peer)];
  return Array.from({ length: inputCount }, (_, i) => {
    const [x, y] = [a.get(String(i)), b.get(String(i))];
    const reason = (r?: IncomingRecord) => r?.headers[DLQ_HEADER.reason];
    const enriched = (r?: IncomingRecord) => {
      if (!r || reason(r) !== undefined) return undefined;
      const doc = JSON.parse(text.decode(r.value));
      delete doc.enrichment_info.enriched_at;
      const { [HEADER.contentType]: ct, [HEADER.messageId]: id, [HEADER.sourceTimestamp]: ts } = r.headers;
      // Each consumer read a check topic of its own: the ids agree on partition and offset.
      return { ...doc, headers: { ct, at: id?.split("/").slice(-2).join("/"), ts: ts !== undefined }, key: r.key };
    };
    const [ex, ey] = [enriched(x), enriched(y)];
    const fields = [...new Set([...Object.keys(ex ?? {}), ...Object.keys(ey ?? {})])];
    const differs = fields.filter((f) => !Bun.deepEquals(ex?.[f], ey?.[f], true));
    return {
      offset: i,
      record: ex ? `${ex.event_type}/${ex.enrichment_info.device_type_detected}` : "dead letter",
      ours: reason(x) ?? (x ? "enriched" : "missing"),
      kafka_streams: reason(y) ?? (y ? "enriched" : "missing"),
      differs: differs.join(", "),
      same: x !== undefined && y !== undefined && reason(x) === reason(y) && differs.length === 0,
    };
  });
}
