/**
 * Part 8 — the ingest gateway (a process of its own, against the real registry and broker).
 *   bun bench/ingest.ts [--connections 1000] [--messages 200000] [--window 10] [--idle 10000] [--cpu-prof]
 * Throughput: `--connections` authenticated MQTT.js devices each keep `--window` QoS 1 publishes in
 * flight until `--messages` were PUBACKed; msg/s = PUBACKed messages / (last PUBACK − first publish).
 * A PUBACK means the record is in iot.raw (acks=all); the topic's end offsets are checked to hold
 * them all. Goal: ≥ 20,000 msg/s on this machine with the broker on it (and the load generator:
 * both share the two cores with ingest).
 * Idle: `--idle` devices connect (raw CONNECT packets, CONNACK awaited) and stay; ingest's RSS
 * (VmRSS) then. Goal: < 300 MB.
 * --cpu-prof: ingest runs under `bun --cpu-prof` (.cpuprofile + Markdown in bench/results/profiles/,
 * for bench/profile-summary.ts); its figures go to ingest-cpu-prof.json, not ingest.json.
 */
import { connect as tcpConnect, type Socket } from "node:net";
import { parseArgs } from "node:util";
import { freePort, spawnService } from "@iot/common/testing-process";
import mqtt, { type MqttClient } from "mqtt";
import mqttPacket from "mqtt-packet";
import { benchBus, useBroker } from "./lib/kafka";
import { cpuSeconds, rssMb } from "./lib/proc";
import { RESULTS_DIR, writeResult } from "./lib/results";
import { runId, startRegistry, waitReady } from "./lib/services";
import { printTable, round } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    connections: { type: "string", default: "1000" },
    messages: { type: "string", default: "200000" },
    window: { type: "string", default: "10" },
    idle: { type: "string", default: "10000" },
    "cpu-prof": { type: "boolean", default: false },
  },
});
const CONNECTIONS = Number(flags.connections);
const MESSAGES = Number(flags.messages);
const WINDOW = Number(flags.window);
const IDLE = Number(flags.idle);
const GOALS = { msgPerS: 20_000, idleRssMb: 300 };

const broker = await useBroker();
const registry = await startRegistry("sqlite");
const id = runId();
const topic = `bench-ingest-${id}.raw`;
const bus = await benchBus(broker.brokers, "bench-ingest");
const stopAll: Array<() => Promise<unknown>> = [() => registry.stop(), () => bus.stop()];
try {
  // Devices through the registry's bulk import: the tokens come back once, in the reply.
  const total = Math.max(CONNECTIONS, IDLE);
  const rows = Array.from({ length: total }, (_, i) => ({ device_id: `bi-${id}-${i}`, device_type: "smart_breaker" }));
  const res = await fetch(`${registry.httpUrl}/api/devices/bulk`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(rows),
  });
  if (res.status !== 200) throw new Error(`bulk import answered ${res.status}`);
  const devices = ((await res.json()) as { results: { device_id: string; token: string }[] }).results.map((r) => ({
    id: r.device_id,
    token: r.token,
  }));

  const ports = { mqtt: await freePort(), http: await freePort() };
  const ingest = spawnService("services/ingest/src/main.ts", {
    KAFKA_BROKERS: broker.brokers,
    TOPIC_RAW: topic,
    INGEST_MQTT_PORT: String(ports.mqtt),
    INGEST_HTTP_PORT: String(ports.http),
    REGISTRY_RPC_URL: registry.rpcUrl,
    INGEST_CONNECTS_PER_MINUTE: "100",
    LOG_LEVEL: "warn",
    // The profile is written when the process exits (ingest.stop() sends SIGTERM).
    ...(flags["cpu-prof"] && {
      BUN_OPTIONS: `${process.env.BUN_OPTIONS ?? ""} --cpu-prof --cpu-prof-md --cpu-prof-dir=${RESULTS_DIR}/profiles --cpu-prof-name=ingest-${id}`,
    }),
  });
  stopAll.unshift(() => ingest.stop());
  await waitReady(`http://127.0.0.1:${ports.http}/readyz`, 60_000, ingest);
  const pid = ingest.proc.pid;
  const rssAtStart = rssMb(pid)!.rss;

  // Throughput.
  const clients: MqttClient[] = [];
  for (let i = 0; i < CONNECTIONS; i += 100)
    clients.push(
      ...(await Promise.all(
        devices.slice(i, Math.min(i + 100, CONNECTIONS)).map((d) =>
          mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
            username: d.id,
            password: d.token,
            reconnectPeriod: 0,
          }),
        ),
      )),
    );
  const payloadOf = (deviceId: string) =>
    JSON.stringify({
      device_id: deviceId,
      device_type: "smart_breaker",
      timestamp: "2026-11-30T00:00:00.000000Z",
      event_type: "telemetry",
      measurements: {
        voltage: { phase_a: 118.2, phase_b: 119.1, phase_c: 117.9, unit: "V" },
        current: { phase_a: 12.4, phase_b: 11.9, phase_c: 12.8, unit: "A" },
        power: { active_power: 4.35, reactive_power: 1.2, apparent_power: 4.51, power_factor: 0.96, unit: "kW" },
        status: { state: "closed", trip_count: 2, operating_hours: 8123.5 },
      },
    });
  const before = (await bus.stats([topic], [])).topics[0]?.records ?? 0;
  const perClient = Math.ceil(MESSAGES / CONNECTIONS);
  const cpu0 = cpuSeconds(pid);
  const generatorCpu0 = process.cpuUsage();
  const brokerCpu0 = broker.pid ? cpuSeconds(broker.pid) : undefined;
  const t0 = performance.now();
  await Promise.all(
    clients.map((c, i) => {
      const d = devices[i]!;
      const payload = payloadOf(d.id);
      const perLane = Math.ceil(perClient / WINDOW);
      return Promise.all(
        Array.from({ length: WINDOW }, async () => {
          for (let n = 0; n < perLane; n++) await c.publishAsync(`devices/${d.id}/telemetry`, payload, { qos: 1 });
        }),
      );
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const acked = CONNECTIONS * WINDOW * Math.ceil(perClient / WINDOW);
  const ingestCpu = cpuSeconds(pid) - cpu0;
  const { user, system } = process.cpuUsage(generatorCpu0);
  const brokerCpu = broker.pid && brokerCpu0 !== undefined ? cpuSeconds(broker.pid) - brokerCpu0 : undefined;
  const inRaw = ((await bus.stats([topic], [])).topics[0]?.records ?? 0) - before;
  const rssUnderLoad = rssMb(pid)!;
  // Batches to the broker: how many, and how long each took from send to acknowledgement.
  const metricsText = await (await fetch(`http://127.0.0.1:${ports.http}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metricsText)?.[1] ?? Number.NaN);
  const batches = metric("ingest_batch_seconds_count");
  await Promise.all(clients.map((c) => c.endAsync()));

  // Idle connections.
  const sockets: Socket[] = [];
  const connectOne = (d: { id: string; token: string }) =>
    new Promise<Socket>((resolve, reject) => {
      const s = tcpConnect(ports.mqtt, "127.0.0.1", () =>
        s.write(
          mqttPacket.generate({
            cmd: "connect",
            protocolId: "MQTT",
            protocolVersion: 4,
            clean: true,
            clientId: d.id,
            keepalive: 600,
            username: d.id,
            password: Buffer.from(d.token),
          }),
        ),
      );
      s.once("data", (b: Buffer) =>
        b[0] === 0x20 && b[3] === 0 ? resolve(s) : reject(new Error(`CONNACK ${b.toString("hex")}`)),
      );
      s.once("error", reject);
    });
  for (let i = 0; i < IDLE; i += 500)
    sockets.push(...(await Promise.all(devices.slice(i, Math.min(i + 500, IDLE)).map(connectOne))));
  await Bun.sleep(2_000); // let allocation settle before reading RSS
  const stats = (await (await fetch(`http://127.0.0.1:${ports.http}/api/v1/stats`)).json()) as {
    connectedDevices: number;
  };
  const idleRss = rssMb(pid)!;
  for (const s of sockets) s.destroy();

  const result = {
    connections: CONNECTIONS,
    window: WINDOW,
    messages_acked: acked,
    messages_in_raw: inRaw,
    qos1_msgs_per_s: Math.round(acked / seconds),
    seconds: round(seconds, 2),
    ingest_cpu_s: round(ingestCpu, 2),
    ingest_cpu_us_per_msg: round((ingestCpu * 1e6) / acked, 1),
    // The two cores are shared: what the devices (MQTT.js) and the broker spent in the same time.
    generator_cpu_s: round((user + system) / 1e6, 2),
    broker_cpu_s: brokerCpu === undefined ? null : round(brokerCpu, 2),
    batches,
    mean_batch_records: round(acked / batches, 0),
    mean_batch_ms: round((metric("ingest_batch_seconds_sum") / batches) * 1000, 1),
    rss_mb_at_start: round(rssAtStart, 0),
    rss_mb_under_load: round(rssUnderLoad.rss, 0),
    idle_connections: stats.connectedDevices,
    idle_rss_mb: round(idleRss.rss, 0),
    idle_kb_per_connection: IDLE > 0 ? round(((idleRss.rss - rssAtStart) * 1024) / IDLE, 1) : null,
    goal_msgs_per_s: GOALS.msgPerS,
    goal_idle_rss_mb: GOALS.idleRssMb,
  };
  if (inRaw < acked) throw new Error(`iot.raw holds ${inRaw} records, ${acked} were PUBACKed`);
  printTable("Part 8 — ingest: QoS 1 into iot.raw, and idle connections", [result]);
  // A profiled run is slower than a real one: it never overwrites the benchmark's figures.
  await writeResult(flags["cpu-prof"] ? "ingest-cpu-prof" : "ingest", broker.version, result);
} finally {
  for (const stop of stopAll) await stop();
  await broker.stop();
}
