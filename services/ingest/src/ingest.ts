/**
 * The ingest gateway, wired from its parts: the credentials cache (WatchDevices), the batcher into
 * `iot.raw`, the MQTT server, the HTTP endpoint on its ops port, and optionally the bridge from an
 * existing broker. It publishes on the bus it is given and never starts or stops it.
 */
import { localUrl } from "@iot/common/listen";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { EventBus } from "@iot/common/bus";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { createOpsServer } from "@iot/common/ops-server";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { createBridge } from "./bridge";
import { type IngestConfig, loadConfig } from "./config";
import { type Credentials, createCredentials } from "./credentials";
import { deviceRoutes } from "./http-routes";
import { createIngestMetrics } from "./ingest-metrics";
import { createMqttServer } from "./mqtt-server";
import { createBatcher } from "./raw-batcher";

/** How long `stop` waits for the broker to acknowledge what devices already sent. */
const FLUSH_TIMEOUT_MS = 10_000;
/**
 * How long `start` waits for the first credentials snapshot before opening the MQTT port anyway
 * (devices are then told "server unavailable" until the registry answers; /readyz says so).
 */
const FIRST_SYNC_WAIT_MS = 10_000;

export interface IngestDeps {
  bus: EventBus;
  log: Logger;
  metrics: Metrics;
  /** Tests give a cache fed by a fake stream; otherwise one watching `REGISTRY_RPC_URL`. */
  credentials?: Credentials;
}

export function createIngest(config: IngestConfig, deps: IngestDeps) {
  const { bus, log } = deps;
  const credentials =
    deps.credentials ??
    createCredentials({
      transport: createGrpcTransport({ baseUrl: config.registryRpcUrl }),
      token: config.registryToken,
      log,
    });
  // The gauges read the server and the batcher at scrape time, after both exist.
  const metrics = createIngestMetrics(deps.metrics, {
    connected: () => mqtt.connected(),
    inflightBytes: () => batcher.inflightBytes(),
  });
  const batcher = createBatcher({
    bus,
    topic: config.bus.topics.raw,
    log,
    lingerMs: config.lingerMs,
    batchRecords: config.batchRecords,
    maxInflightBytes: config.maxInflightBytes,
    onBatch: (_n, seconds) => metrics.batch(seconds),
    onPublishFailure: metrics.publishFailure,
  });
  const mqtt = createMqttServer({
    ...config,
    port: config.mqttPort,
    wsPort: config.mqttWsPort,
    credentials,
    batcher,
    metrics,
    log,
  });
  const bridge = config.bridgeUrl
    ? createBridge({
        url: config.bridgeUrl,
        group: config.bridgeGroup,
        batcher,
        metrics,
        log,
        maxPayloadBytes: config.maxPayloadBytes,
      })
    : undefined;

  const checks = async () => ({
    broker: await bus.ready(),
    registry: credentials.current,
    ...(bridge && { bridge: bridge.connected() }),
  });
  const ops = createOpsServer("ingest", { port: config.httpPort, host: config.bindHost }, { checks }, deps.metrics);
  ops.app.use(deviceRoutes({ ...config, ackTimeoutMs: config.httpAckTimeoutMs, credentials, batcher, metrics }));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // No new connections or requests, then everything accepted is acked (or given up), then connections close.
    mqtt.stopAccepting();
    await bridge?.stop();
    await ops.stop();
    const unacked = await batcher.stop(FLUSH_TIMEOUT_MS);
    if (unacked > 0)
      log.warn("stopped with records the broker never acknowledged (their devices got no ack)", { records: unacked });
    await mqtt.close();
    await credentials.stop();
  };

  return {
    credentials,
    metrics,
    async start() {
      try {
        credentials.start();
        ops.start();
        // MQTT.js, like many device clients, does not retry after a refused CONNECT: open the port once devices can be checked.
        if (!(await credentials.synced(FIRST_SYNC_WAIT_MS)))
          log.warn("no device credentials from the registry yet; devices are refused until it answers", {
            registry: config.registryRpcUrl,
          });
        await mqtt.start();
        await bridge?.start();
      } catch (e) {
        await stop();
        throw e;
      }
      log.info("ingest accepting devices", {
        mqtt_port: mqtt.port(),
        http: ops.url(),
        topic: config.bus.topics.raw,
        bridge: config.bridgeUrl ? "on" : "off",
      });
    },
    checks,
    stop,
    urls: () => ({
      "Ingest (HTTP)": ops.url(),
      "Ingest (MQTT)": localUrl(config.bindHost, mqtt.port(), "mqtt"),
      ...(mqtt.wsPort() !== undefined && { "Ingest (MQTT/WS)": localUrl(config.bindHost, mqtt.wsPort(), "ws") }),
    }),
    mqttPort: () => mqtt.port(),
    mqttWsPort: () => mqtt.wsPort(),
    httpUrl: () => ops.url(),
  } satisfies Service & Record<string, unknown>;
}

export type Ingest = ReturnType<typeof createIngest>;

export const ingestService: ServiceDefinition<IngestConfig> = {
  name: "ingest",
  loadConfig: (env) => loadConfig(env),
  usesBus: true,
  create: (config, deps) => createIngest(config, { ...deps, bus: deps.bus! }),
};
