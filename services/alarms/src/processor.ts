/**
 * Readings, ticks and acknowledgements go through here one at a time: evaluate in memory, save the
 * changes and their events in one transaction, then publish the events (the table is the outbox).
 * Offsets are committed only after the batch's events are published, so a crash at any point
 * either replays input the saved positions make harmless, or republishes saved events (same ids).
 * A failed save reloads the engine from the store, so memory never runs ahead of the database.
 */
import type { Batch, EventBus } from "@iot/common/bus";
import { decodeEnrichedEvent, type PayloadFormat } from "@iot/common/codec";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { Alarm, AlarmEvent } from "./alarm";
import { alarmRecord } from "./alarm-codec";
import type { AlarmMetrics } from "./alarm-metrics";
import type { AlarmStore } from "./db/store";
import { Changes, type Engine, type Reading } from "./engine";
import { brokerTime, positionOf } from "./input";

export interface ProcessorDeps {
  engine: Engine;
  store: AlarmStore;
  bus: EventBus;
  topic: string;
  format: PayloadFormat;
  metrics: AlarmMetrics;
  log: Logger;
  now: () => number;
  /** Told of every event once it is published (WatchAlarms, the dashboard). */
  onPublished: (events: AlarmEvent[]) => void;
}

/**
 * Ticks fire timers and silence only while the input is current (or idle): while catching up on a
 * backlog, the reading that stops a timer or proves a device alive may still be queued. Catching
 * up = batches of records older than BEHIND_MS coming back to back (no pause of IDLE_MS between).
 */
const BEHIND_MS = 2_000;
const IDLE_MS = 500;

const OUTBOX_PAGE = 1_000;

export function createProcessor(deps: ProcessorDeps) {
  const { engine, store, metrics } = deps;
  let queue: Promise<unknown> = Promise.resolve();
  let outboxDirty = true; // events a previous run saved may be waiting
  let lastBatchAt = -Infinity; // service time
  let newestInLastBatch = -Infinity; // broker time
  const catchingUp = (now: number) => now - lastBatchAt <= IDLE_MS && now - newestInLastBatch > BEHIND_MS;

  /** One at a time: batches from several partitions, the timer and the API share the engine. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  // Set when memory may be ahead of the store (a save failed): nothing is evaluated until a reload succeeds.
  let stale = false;
  async function reloadIfStale() {
    if (!stale) return;
    engine.load(await store.load(), deps.now());
    stale = false;
    deps.log.info("alarm state reloaded from the store");
  }

  async function commit(changes: Changes) {
    if (changes.empty) return;
    try {
      await store.save(changes);
      outboxDirty = true;
    } catch (e) {
      stale = true;
      deps.log.error("saving alarm state failed; it is reloaded from the store before anything else", {
        error: errorMessage(e),
      });
      await reloadIfStale().catch(() => undefined); // still failing: the next call tries again
      throw e;
    }
  }

  async function flushOutbox() {
    while (outboxDirty) {
      const events = await store.unpublished(OUTBOX_PAGE);
      if (events.length > 0) {
        await deps.bus.publish(
          deps.topic,
          events.map((e) => alarmRecord(e, deps.format)),
        );
        await store.markPublished(events.map((e) => e.id));
        const now = deps.now();
        for (const e of events) {
          metrics.events.inc({ kind: e.kind });
          if (e.kind === "raised") metrics.raiseLatency.observe(Math.max(0, now - e.at) / 1000);
        }
        deps.onPublished(events);
      }
      if (events.length < OUTBOX_PAGE) outboxDirty = false;
    }
  }

  return {
    handleBatch: (batch: Batch) =>
      serial(async () => {
        const started = performance.now();
        await reloadIfStale();
        const changes = new Changes();
        let newest = -Infinity;
        for (const r of batch.records) {
          let reading: Reading;
          try {
            reading = { event: decodeEnrichedEvent(r.value, r.headers), at: brokerTime(r), position: positionOf(r) };
          } catch (e) {
            // Enrichment dead-letters bad raw input already; anything else here is counted and skipped.
            metrics.skipped.inc({ reason: "undecodable" });
            deps.log.warn("skipping an enriched record that does not decode", {
              topic: r.topic,
              partition: r.partition,
              offset: r.offset,
              error: errorMessage(e),
            });
            continue;
          }
          engine.reading(reading, changes);
          newest = Math.max(newest, reading.at);
        }
        if (newest > -Infinity) [lastBatchAt, newestInLastBatch] = [deps.now(), newest];
        await commit(changes);
        await flushOutbox();
        metrics.consumed.inc({}, batch.records.length);
        metrics.batchSeconds.observe((performance.now() - started) / 1000);
      }),

    tick: () =>
      serial(async () => {
        await reloadIfStale();
        const changes = new Changes();
        if (!catchingUp(deps.now())) engine.tick(deps.now(), changes);
        await commit(changes);
        await flushOutbox();
      }),

    /** undefined when no active alarm has this id. */
    acknowledge: (alarmId: string, by: string, note: string) =>
      serial(async (): Promise<Alarm | undefined> => {
        await reloadIfStale();
        const changes = new Changes();
        const alarm = engine.acknowledge(alarmId, by, note, deps.now(), changes);
        await commit(changes);
        // Saved is done: an event the broker did not take now goes out with the next batch or tick.
        await flushOutbox().catch((e) =>
          deps.log.warn("acknowledged event not published yet", { error: errorMessage(e) }),
        );
        return alarm;
      }),

    /** Publishes what a previous run saved but did not get to publish. */
    flush: () => serial(flushOutbox),
    /** Resolves once the work in hand is done (before the store closes). */
    idle: () => serial(async () => undefined),
  };
}
