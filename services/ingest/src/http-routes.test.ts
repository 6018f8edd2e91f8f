/** The HTTP endpoint without a network (app.handle), on a bus the test holds: 200 only after the ack, 503 when full or slow. */
import { expect, test } from "bun:test";
import type { OutgoingRecord } from "@iot/common/bus";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger } from "@iot/common/testing";
import { createFakeDeviceWatch, credential } from "../test/support/fake-device-watch";
import { createCredentials } from "./credentials";
import { deviceRoutes } from "./http-routes";
import { createIngestMetrics } from "./ingest-metrics";
import { createBatcher } from "./raw-batcher";

async function setup(ackTimeoutMs = 5_000) {
  const held: Array<{ records: OutgoingRecord[]; ok: () => void }> = [];
  const bus = {
    publish: (_t: string, records: OutgoingRecord[]) => new Promise<void>((ok) => held.push({ records, ok })),
  };
  const batcher = createBatcher({
    bus,
    topic: "t",
    log: quietLogger(),
    lingerMs: 0,
    batchRecords: 1,
    maxInflightBytes: 64 * 1024,
  });
  const credentials = createCredentials({
    transport: createFakeDeviceWatch([credential("d1", "tok")]).transport,
    log: quietLogger(),
  });
  credentials.start();
  await eventually("credentials", () => (credentials.current ? true : undefined));
  const metrics = createIngestMetrics(createMetrics(), { connected: () => 0, inflightBytes: batcher.inflightBytes });
  const app = deviceRoutes({
    credentials,
    batcher,
    metrics,
    maxBodyBytes: 1024 * 1024,
    maxPayloadBytes: 256 * 1024,
    ackTimeoutMs,
  });
  const post = (body: string) =>
    app.handle(
      new Request("http://localhost/api/v1/devices/d1/telemetry", {
        method: "POST",
        body,
        headers: { authorization: "Bearer tok", "content-type": "application/json" },
      }),
    );
  return { held, post, metrics, stop: () => credentials.stop() };
}

const doc = (pad: number) => JSON.stringify({ device_id: "d1", event_type: "telemetry", pad: "x".repeat(pad) });

test("200 only once the broker acknowledged; while the gateway is at its in-flight bound, 503 with Retry-After", async () => {
  const s = await setup();
  let answered: Response | undefined;
  const first = s.post(doc(60_000)).then((r) => (answered = r));
  await eventually("the first body sent to the broker", () => (s.held.length === 1 ? true : undefined));
  expect(answered).toBeUndefined();
  const full = await s.post(doc(10_000));
  expect(full.status).toBe(503);
  expect(full.headers.get("retry-after")).toBe("1");
  s.held[0]!.ok();
  expect((await first).status).toBe(200);
  expect(s.metrics.snapshot().refused.http).toEqual({ overloaded: 1 });
  await s.stop();
});

test("a broker that does not acknowledge in time: 503 (the record may still arrive: at-least-once)", async () => {
  const s = await setup(50);
  const res = await s.post(doc(10));
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ error: "the broker did not acknowledge in time; retry later" });
  await s.stop();
});
