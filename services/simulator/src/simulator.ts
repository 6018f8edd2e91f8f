/**
 * The simulator, wired from its parts; `main.ts` runs it on Kafka, the all-in-one start on the
 * in-process bus. One timer for the whole fleet: each tick publishes every sample that has come due
 * and hands the encoded records to the publisher, which batches them to the bus. It owns its
 * health/metrics port; the bus is started and stopped by whoever built it.
 */
import type { EventBus } from "@iot/common/bus";
import { encodeDeviceEvent } from "@iot/common/codec";
import { type DeviceRegistry, loadDeviceRegistry } from "@iot/common/device-registry";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { createOpsServer } from "@iot/common/ops-server";
import type { Service, ServiceDefinition } from "@iot/common/service";
import type { DeviceEvent } from "@iot/common/telemetry";
import { checkDeviceTypes, loadConfig, type SimulatorConfig } from "./config";
import { createDeviceTransport } from "./device-transport";
import { createFleet, type Fleet, fleetDevices } from "./fleet";
import { provisionFleet } from "./provision";
import { createPublisher } from "./publisher";
import { createSimulatorMetrics } from "./simulator-metrics";

const TICK_MS = 50;
/** Samples per tick at most, so a schedule that fell behind catches up without starving the publisher. */
const MAX_PER_TICK = 10_000;

export interface SimulatorDeps {
  bus: EventBus;
  log: Logger;
  metrics: Metrics;
  registry: DeviceRegistry;
  /** Epoch ms; injectable so tests can pin the start time. */
  clock?: () => number;
}

export type SimulatorSettings = Pick<
  SimulatorConfig,
  | "port"
  | "bindHost"
  | "bus"
  | "format"
  | "devices"
  | "intervalMs"
  | "trendsIntervalSec"
  | "seed"
  | "burst"
  | "anomalyRate"
  | "recloseSeconds"
  | "maxBuffered"
  | "flushTimeoutMs"
  | "count"
  | "durationMs"
> &
  Partial<Pick<SimulatorConfig, "provision" | "registryUrl" | "adminToken" | "transport" | "ingestUrl">>;

export function createSimulator(config: SimulatorSettings, deps: SimulatorDeps) {
  const { bus, log } = deps;
  const clock = deps.clock ?? Date.now;
  let fleet: Fleet | undefined;
  let deviceTokens = new Map<string, string>();
  let lagSeconds = 0;
  const metrics = createSimulatorMetrics(deps.metrics, {
    buffered: () => publisher.buffered(),
    lagSeconds: () => lagSeconds,
  });
  const devices =
    config.transport === "mqtt" || config.transport === "http"
      ? createDeviceTransport({
          transport: config.transport,
          url: config.ingestUrl!,
          tokens: () => deviceTokens,
          registryUrl: config.registryUrl!,
          adminToken: config.adminToken,
          log,
        })
      : undefined;
  const publisher = createPublisher({
    bus: devices ?? bus,
    topic: config.bus.topics.raw,
    log,
    metrics,
    maxBuffered: config.maxBuffered,
  });
  const checks = async () => ({ broker: await bus.ready() });
  const ops = createOpsServer("simulator", { port: config.port, host: config.bindHost }, { checks }, deps.metrics);
  let timer: ReturnType<typeof setInterval> | undefined;
  let telemetrySent = 0;
  let endMs = Infinity;
  let resolveFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));

  const tally = { telemetry: 0, trends: 0, anomalous: new Map<string, number>() };
  const emit = (event: DeviceEvent, anomalous: boolean) => {
    tally[event.event_type]++;
    if (anomalous) tally.anomalous.set(event.device_type, (tally.anomalous.get(event.device_type) ?? 0) + 1);
    return publisher.offer(() => {
      const { value, headers } = encodeDeviceEvent(event, config.format);
      return { key: event.device_id, value, headers };
    });
  };

  function tick() {
    const now = clock();
    const budget = config.count > 0 ? Math.min(MAX_PER_TICK, config.count - telemetrySent) : MAX_PER_TICK;
    telemetrySent += fleet!.advance(Math.min(now, endMs), emit, budget);
    lagSeconds = Math.max(0, Math.min(now, endMs) - fleet!.nextDueMs()) / 1000;
    metrics.generated.inc({ event_type: "telemetry" }, tally.telemetry);
    metrics.generated.inc({ event_type: "trends" }, tally.trends);
    tally.anomalous.forEach((n, device_type) => metrics.anomalous.inc({ device_type }, n));
    [tally.telemetry, tally.trends] = [0, 0];
    tally.anomalous.clear();
    if ((config.count > 0 && telemetrySent >= config.count) || now >= endMs) {
      clearInterval(timer);
      log.info("generation limit reached; flushing", { telemetry: telemetrySent });
      void publisher.idle().then(resolveFinished);
    }
  }

  return {
    /** Resolves once a count or duration limit was reached and everything generated was acknowledged. */
    finished,
    async start() {
      // Tokens of devices created now, held for device transports (MQTT/HTTP ingest); never logged.
      if ((config.provision || devices) && config.registryUrl)
        deviceTokens = await provisionFleet(fleetDevices(config.devices), {
          registryUrl: config.registryUrl,
          adminToken: config.adminToken,
          log,
        });
      ops.start();
      const startMs = clock();
      fleet = createFleet({
        devices: config.devices,
        registry: deps.registry,
        seed: config.seed,
        intervalMs: config.intervalMs,
        trendsIntervalSec: config.trendsIntervalSec,
        burst: config.burst,
        model: { anomalyRate: config.anomalyRate, recloseSeconds: config.recloseSeconds },
        startMs,
      });
      if (config.durationMs > 0) endMs = startMs + config.durationMs;
      config.devices.forEach((d) => metrics.devices.set(d.count, { device_type: d.type }));
      publisher.start();
      timer = setInterval(tick, TICK_MS);
      log.info("simulator started", {
        devices: Object.fromEntries(config.devices.map((d) => [d.type, d.count])),
        interval_seconds: config.intervalMs / 1000,
        telemetry_per_second: Math.round((fleet.size / config.intervalMs) * 1000 * 10) / 10,
        trends_interval_seconds: config.trendsIntervalSec,
        seed: config.seed,
        format: config.format,
        burst: config.burst,
        ...(devices ? { transport: config.transport, ingest: config.ingestUrl } : { topic: config.bus.topics.raw }),
      });
    },
    /** Stops generating and flushes the buffer (within the flush timeout; the rest is counted as dropped). */
    async stop() {
      clearInterval(timer);
      await ops.stop();
      await publisher.stop(config.flushTimeoutMs);
      await devices?.close();
      log.info("simulator stopped", {
        generated:
          (await metrics.generated.get({ event_type: "telemetry" })) +
          (await metrics.generated.get({ event_type: "trends" })),
        published: await metrics.published.get(),
        dropped_buffer_full: await metrics.dropped.get({ reason: "buffer_full" }),
        dropped_shutdown: await metrics.dropped.get({ reason: "shutdown" }),
      });
    },
    checks,
    urls: () => ({ Simulator: ops.url() }),
    /** Tokens of the devices this run provisioned (device id → token). */
    deviceTokens: () => deviceTokens,
  } satisfies Service & { deviceTokens(): ReadonlyMap<string, string> };
}

export type Simulator = ReturnType<typeof createSimulator>;

export const simulatorService: ServiceDefinition<SimulatorConfig> = {
  name: "simulator",
  loadConfig,
  usesBus: true,
  async create(config, deps) {
    const registry = await loadDeviceRegistry(config.deviceRegistryPath);
    checkDeviceTypes(config, registry); // a ConfigError naming SIM_DEVICES (or --devices)
    return createSimulator(config, { ...deps, bus: deps.bus!, registry });
  },
};
