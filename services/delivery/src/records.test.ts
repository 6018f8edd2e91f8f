import { expect, test } from "bun:test";
import type { IncomingRecord } from "@iot/common/bus";
import { encodeEnrichedEvent } from "@iot/common/codec";
import { enriched } from "../test/support";
import { createDecoder, itemJson, select, webhookBody } from "./records";

let offset = 0;
const record = (value: Uint8Array, headers: Record<string, string>): IncomingRecord => ({
  topic: "iot.enriched",
  partition: 0,
  offset: String(offset++),
  key: null,
  value,
  headers,
  timestamp: 0,
});
const utf8 = new TextEncoder();
const wants = { deviceTypes: new Set(["smart_breaker"]) };

test("a webhook body is the selected items as a JSON array, whatever form each record's JSON came in", () => {
  const events = [0, 1, 2, 3].map((n) => enriched("smart_breaker", `disjoncteur-°${n}`, n));
  const json = (n: number) => encodeEnrichedEvent(events[n]!, "json");
  const records = [
    record(json(0).value, json(0).headers!), // as enrichment writes it (characters outside ASCII in every one)
    record(utf8.encode(JSON.stringify(events[1], null, 2)), {}), // on several lines
    record(new Uint8Array([0xef, 0xbb, 0xbf, ...json(2).value]), json(2).headers!), // a byte order mark
    record(encodeEnrichedEvent(events[3]!, "protobuf").value, encodeEnrichedEvent(events[3]!, "protobuf").headers!),
    record(encodeEnrichedEvent(enriched("smart_meter", "m-1", 4), "json").value, {}), // not wanted
  ];
  const items = select(records, wants, createDecoder(10), () => expect.unreachable());
  const body = JSON.parse(new TextDecoder().decode(webhookBody(items)));
  expect(body).toEqual(
    events.map((data, i) => ({ id: `iot.enriched/0/${records[i]!.offset}`, type: "iot.enriched", data })),
  );
  expect(items.map((d) => JSON.parse(itemJson(d)))).toEqual(body);
  expect(new TextDecoder().decode(webhookBody([]))).toBe("[]");
});

test("a record that does not decode is skipped, and counted for each application that reads it", () => {
  const decoder = createDecoder(10);
  const bad = record(utf8.encode('{"device_id":'), {});
  const good = record(encodeEnrichedEvent(enriched("smart_breaker", "b-1", 1), "json").value, {});
  let skipped = 0;
  for (let app = 0; app < 2; app++)
    expect(select([bad, good], wants, decoder, () => skipped++).map((d) => d.event.device_id)).toEqual(["b-1"]);
  expect(skipped).toBe(2);
});
