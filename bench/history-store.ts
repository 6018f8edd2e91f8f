/**
 * History's PostgreSQL store alone, without Kafka or decoding: CPU per message of the process
 * calling it (the store's own work: the points are built beforehand) and of the PostgreSQL
 * backends serving it, for the writes and for rolling them up. CPU per message (not msg/s) is what
 * compares runs on a loaded machine.
 *
 * Synthetic fleet: `--devices` devices of 12 numeric metrics each sending one message every
 * `--interval` seconds (device time), in batches of `--batch` messages, `--writers` batches at a time. The defaults are
 * what the service does: it writes the partitions' batches of one fetch as one transaction, one at a
 * time (~2,500 messages of the default mix, enriched JSON, in zstd fetches). The roll-up runs once
 * at the end (a catch-up), or with `--rollup-every N` also after every N batches for what ended 10 s
 * of device time before (a steady stream, as the service's job every 5 s sees it).
 *   bun bench/history-store.ts [--messages 20000] [--devices 170] [--batch 2500] [--writers 1] [--interval 1] [--rollup-every 0]
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openPgStore } from "../services/history/src/db/pg-store";
import type { Point } from "../services/history/src/points";
import { backendCpuMs } from "./lib/pg-cpu";
import { printTable, round } from "./lib/table";

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    messages: { type: "string", default: "20000" },
    devices: { type: "string", default: "170" },
    batch: { type: "string", default: "2500" },
    writers: { type: "string", default: "1" },
    interval: { type: "string", default: "1" },
    "rollup-every": { type: "string", default: "0" },
  },
});
const [MESSAGES, DEVICES, BATCH, WRITERS] = [args.messages, args.devices, args.batch, args.writers].map(Number) as [
  number,
  number,
  number,
  number,
];
const INTERVAL_MS = Number(args.interval) * 1000;
const ROLLUP_EVERY = Number(args["rollup-every"]);
const METRICS = 12;
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
const name = `bench_history_store_${Date.now().toString(36)}`;
await admin.unsafe(`create database "${name}"`);
try {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const store = await openPgStore(url.toString());
  const start = Date.now() - 3_600_000;
  let sent = 0;
  const nextBatch = (): Point[] => {
    const points: Point[] = [];
    for (let end = Math.min(sent + BATCH, MESSAGES); sent < end; sent++) {
      const ts = start + Math.floor(sent / DEVICES) * INTERVAL_MS;
      for (let m = 0; m < METRICS; m++)
        points.push({
          deviceId: `device-${sent % DEVICES}`,
          metric: `group.metric_${m}`,
          ts,
          value: Math.random() * 400,
        });
    }
    return points;
  };
  /** Adds the CPU per message and seconds `work` took to `into`. */
  const measure = async (into: Figures, work: () => Promise<unknown>) => {
    const [own, db, t0] = [process.cpuUsage(), await backendCpuMs(admin, name), performance.now()];
    await work();
    const cpu = process.cpuUsage(own);
    into.ownUs += (cpu.user + cpu.system) / MESSAGES;
    into.dbUs += (((await backendCpuMs(admin, name)) - db) * 1000) / MESSAGES;
    into.seconds += (performance.now() - t0) / 1000;
  };
  const batches: Point[][] = [];
  for (let points = nextBatch(); points.length > 0; points = nextBatch()) batches.push(points);
  const write: Figures = { ownUs: 0, dbUs: 0, seconds: 0 };
  const rollUp: Figures = { ownUs: 0, dbUs: 0, seconds: 0 };
  if (ROLLUP_EVERY > 0) {
    for (const [i, points] of batches.entries()) {
      await measure(write, () => store.write(points, []));
      if ((i + 1) % ROLLUP_EVERY === 0) await measure(rollUp, () => store.rollUp(points.at(-1)!.ts - 10_000));
    }
  } else {
    await measure(write, () =>
      Promise.all(
        Array.from({ length: WRITERS }, async () => {
          for (let points = batches.shift(); points; points = batches.shift()) await store.write(points, []);
        }),
      ),
    );
  }
  await measure(rollUp, () => store.rollUp(8.64e15));
  await store.close();
  printTable(
    `History store on PostgreSQL — ${MESSAGES} messages × ${METRICS} metrics, ${DEVICES} devices, batches of ${BATCH}, ${ROLLUP_EVERY > 0 ? `roll-up every ${ROLLUP_EVERY} batches` : `${WRITERS} writers`}`,
    [
      { step: "write", ...figures(write) },
      { step: "roll up", ...figures(rollUp) },
    ],
  );
} finally {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end({ timeout: 1 });
}

interface Figures {
  ownUs: number;
  dbUs: number;
  seconds: number;
}

function figures(m: Figures) {
  return {
    store_process_cpu_us_per_msg: round(m.ownUs, 1),
    db_backend_cpu_us_per_msg: round(m.dbUs, 1),
    msgs_per_s: round(MESSAGES / m.seconds),
  };
}
