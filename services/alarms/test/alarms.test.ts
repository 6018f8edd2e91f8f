/** The alarms service on the real broker, with SQLite and with PostgreSQL. */
import { afterAll, describe, expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import { AlarmEventKind, AlarmEventSchema, Severity } from "@gen/iot/alarms/v1/alarms_pb";
import type { EventBus } from "@iot/common/bus";
import { eventually } from "@iot/common/testing";
import { enriched, enrichedRecord, OVERTEMP, startService, testDb } from "./support";

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
});

const publish = (
  bus: EventBus,
  topic: string,
  readings: Array<[offset: number, at: number, celsius: number | undefined]>,
  device = "breaker-1",
) =>
  bus.publish(
    topic,
    readings.map(([offset, at, c]) =>
      enrichedRecord(
        enriched(device, c === undefined ? { voltage: { phase_a: 120 } } : { temperature: { value: c, unit: "°C" } }),
        offset,
        at,
      ),
    ),
  );

for (const kind of ["sqlite", "postgresql"] as const) {
  describe(`alarms on ${kind}`, () => {
    test("under `for`, then over long enough, then back under with hysteresis: one raised, one cleared; replayed input adds nothing", async () => {
      const db = await testDb(kind);
      cleanup.push(() => db.drop());
      const t0 = Date.now();
      // The service clock stays at t0, so only readings (broker time) move the `for` timer here.
      const { bus, t, service, out, consumed, url } = await startService(db, [OVERTEMP], { now: t0 }, cleanup);
      const s = 1000;
      const sequence: Array<[number, number, number | undefined]> = [
        [1, t0, 72],
        [2, t0 + 10 * s, 74],
        [3, t0 + 20 * s, 69], // over, but for 20 s < 30 s, then under the raise line
        [4, t0 + 25 * s, 60],
        [5, t0 + 30 * s, 72],
        [6, t0 + 45 * s, undefined],
        [7, t0 + 59 * s, 73], // a reading without the metric changes nothing
        [8, t0 + 61 * s, 75], // held 31 s: raised
        [9, t0 + 70 * s, 68], // under the raise line, above the clear line: still active
        [10, t0 + 80 * s, 64], // cleared
      ];
      await publish(bus, t.enriched, sequence);
      await eventually("raised and cleared on the alarms topic", () => (out.records.length >= 2 ? true : undefined));
      const [raised, cleared] = out.json();
      expect(raised).toMatchObject({
        kind: "raised",
        alarm: {
          device_id: "breaker-1",
          rule_id: "overtemperature",
          severity: "major",
          value: 75,
          status: "active",
          threshold: "> 70",
        },
      });
      expect(Date.parse(raised!.at)).toBe(t0 + 61 * s);
      expect(raised!.alarm.message).toBe("breaker-1: 75 °C > 70");
      expect(cleared).toMatchObject({ kind: "cleared", alarm: { id: raised!.alarm.id, status: "cleared", value: 64 } });
      expect(out.records.every((r) => r.key === "breaker-1")).toBe(true);

      // The same records again (enrichment re-enriching after a crash; same message ids).
      await publish(bus, t.enriched, sequence);
      await eventually("the duplicates consumed", async () =>
        (await consumed()) >= 2 * sequence.length ? true : undefined,
      );
      const history = await (
        await fetch(
          `${url}/api/alarms/history?from=${new Date(t0 - 1000).toISOString()}&to=${new Date(t0 + 3_600_000).toISOString()}`,
        )
      ).json();
      expect(history.events.map((e: { kind: string }) => e.kind)).toEqual(["cleared", "raised"]);
      expect(out.records.length).toBe(2);
      expect(await service.api.listActive({})).toEqual([]);
    });

    test("a silent device raises `silent` and clears when it speaks again", async () => {
      const db = await testDb(kind);
      cleanup.push(() => db.drop());
      const silent = {
        id: "silent",
        kind: "silent",
        intervals: 3,
        severity: "major",
        message: "{device_id} silent ({threshold})",
      };
      const clock = { now: Date.now() };
      const t0 = clock.now;
      const { bus, t, service, out, consumed } = await startService(db, [silent], clock, cleanup);
      await publish(bus, t.enriched, [[1, t0, 30]], "breaker-quiet");
      await eventually("the first reading", async () => ((await consumed()) >= 1 ? true : undefined));

      clock.now = t0 + 14_000; // 3 × 5 s is not over yet
      await service.tick();
      expect(out.records.length).toBe(0);
      clock.now = t0 + 15_500;
      await service.tick();
      await eventually("silent raised", () => (out.records.length >= 1 ? true : undefined));
      expect(out.json()[0]).toMatchObject({
        kind: "raised",
        alarm: { device_id: "breaker-quiet", rule_id: "silent", severity: "major", threshold: "silent 15 s" },
      });
      expect(Date.parse(out.json()[0]!.at)).toBe(t0 + 15_000);
      await service.tick(); // still silent: nothing new
      expect((await service.api.listActive({ deviceId: "breaker-quiet" })).map((a) => a.ruleId)).toEqual(["silent"]);

      await publish(bus, t.enriched, [[2, t0 + 20_000, 30]], "breaker-quiet");
      await eventually("silent cleared", () => (out.records.length >= 2 ? true : undefined));
      expect(out.json()[1]).toMatchObject({ kind: "cleared", alarm: { rule_id: "silent" } });
      expect(await service.api.listActive({})).toEqual([]);
    });
  });
}

test("PAYLOAD_FORMAT=protobuf: protobuf input in, iot.alarms.v1.AlarmEvent out", async () => {
  const db = await testDb("sqlite");
  cleanup.push(() => db.drop());
  const t0 = Date.now();
  const { bus, t, out } = await startService(db, [{ ...OVERTEMP, for_seconds: 0 }], { now: t0 }, cleanup, {
    PAYLOAD_FORMAT: "protobuf",
  });
  await bus.publish(t.enriched, [
    enrichedRecord(enriched("breaker-pb", { temperature: { value: 80 } }), 1, t0, "protobuf"),
  ]);
  await eventually("the raised event", () => (out.records.length >= 1 ? true : undefined));
  const [r] = out.records;
  expect(r!.headers).toMatchObject({
    "content-type": "application/x-protobuf",
    "message-type": "iot.alarms.v1.AlarmEvent",
  });
  const e = fromBinary(AlarmEventSchema, r!.value);
  expect(e.kind).toBe(AlarmEventKind.RAISED);
  expect(e.alarm).toMatchObject({
    deviceId: "breaker-pb",
    ruleId: "overtemperature",
    severity: Severity.CRITICAL,
    value: 80,
    threshold: "> 70",
  });
});

test("a rule edited in the device registry file applies without a restart", async () => {
  const db = await testDb("sqlite");
  cleanup.push(() => db.drop());
  const t0 = Date.now();
  const { bus, t, out, url, registryPath } = await startService(
    db,
    [{ ...OVERTEMP, for_seconds: 0 }],
    { now: t0 },
    cleanup,
  );
  const doc = JSON.parse(await Bun.file(registryPath).text());
  doc.device_types.smart_breaker.alarm_rules[0].condition.value = 50;
  doc.device_types.smart_breaker.alarm_rules[0].clear.value = 45;
  await Bun.write(registryPath, JSON.stringify(doc));
  await eventually(
    "the edited rule in force",
    async () =>
      (await (await fetch(`${url}/api/alarm-rules`)).json()).rules[0].condition === "> 50" ? true : undefined,
    5_000,
  );
  await bus.publish(t.enriched, [enrichedRecord(enriched("breaker-r", { temperature: { value: 55 } }), 1, t0)]);
  await eventually("raised under the new threshold", () => (out.records.length >= 1 ? true : undefined));
  expect(out.json()[0]).toMatchObject({ kind: "raised", alarm: { threshold: "> 50", value: 55 } });
});
