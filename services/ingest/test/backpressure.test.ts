/**
 * MQTT back-pressure: while the broker does not acknowledge, the gateway holds at most its
 * in-flight bound and stops reading the device's socket; nothing is PUBACKed; once the broker
 * answers, everything is acknowledged in order.
 */
import { expect, test } from "bun:test";
import type { EventBus, OutgoingRecord } from "@iot/common/bus";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger } from "@iot/common/testing";
import { loadConfig } from "../src/config";
import { createCredentials } from "../src/credentials";
import { createIngest } from "../src/ingest";
import { device } from "./fixtures";
import { createFakeDeviceWatch, credential } from "./support/fake-device-watch";

test("a broker that does not answer: in-flight bytes stay under the bound, no PUBACK, then all of them in order", async () => {
  let open = false;
  const held: Array<{ records: OutgoingRecord[]; ok: () => void }> = [];
  const publish = (_t: string, records: OutgoingRecord[]) =>
    open ? Promise.resolve() : new Promise<void>((ok) => held.push({ records, ok }));
  const bus = { kind: "memory", publish, ready: async () => true } as unknown as EventBus;
  const log = quietLogger();
  const registry = createFakeDeviceWatch([credential("d1", "t")]);
  const config = loadConfig({
    INGEST_HTTP_PORT: "0",
    INGEST_MQTT_PORT: "0",
    INGEST_MAX_INFLIGHT_BYTES: String(64 * 1024),
    INGEST_LINGER_MS: "0",
  });
  const ingest = createIngest(config, {
    bus,
    log,
    metrics: createMetrics(),
    credentials: createCredentials({ transport: registry.transport, log }),
  });
  await ingest.start();
  await eventually("credentials", () => (ingest.credentials.current ? true : undefined));

  const c = await device(ingest.mqttPort(), "d1", "t");
  const acked: number[] = [];
  const payload = (i: number) => JSON.stringify({ device_id: "d1", seq: i, pad: "x".repeat(4_000) });
  const all = Array.from({ length: 200 }, (_, i) =>
    c.publishAsync("devices/d1/telemetry", payload(i), { qos: 1 }).then(() => acked.push(i)),
  );
  await eventually("the gateway at its bound", () =>
    ingest.metrics.snapshot().inflightBytes > 48 * 1024 ? true : undefined,
  );
  await Bun.sleep(200); // would the gateway take more if it kept reading? give it the chance
  const taken = held.reduce((n, h) => n + h.records.length, 0);
  expect(ingest.metrics.snapshot().inflightBytes).toBeLessThanOrEqual(64 * 1024);
  expect(taken).toBeLessThan(20);
  expect(acked).toEqual([]);

  open = true;
  held.splice(0).forEach((h) => h.ok());
  await Promise.all(all);
  expect(acked).toEqual([...Array(200).keys()]);
  await c.endAsync();
  await ingest.stop();
});
