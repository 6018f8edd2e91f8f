/** `bun run simulator`: a simulated device fleet publishing telemetry and trends to Kafka. */
import { createKafkaBusFromConfig } from "@iot/common/bus-config";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { ConfigError } from "@iot/common/env";
import { createLogger, errorMessage } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { opsRoutes } from "@iot/common/ops-routes";
import { onShutdown } from "@iot/common/shutdown";
import { checkDeviceTypes, loadSimulatorConfig } from "./config";
import { createSimulator } from "./simulator";

const boot = createLogger("simulator");
try {
  const config = loadSimulatorConfig(process.env, Bun.argv.slice(2));
  const log = createLogger("simulator", { level: config.logLevel });
  const registry = await loadDeviceRegistry(config.deviceRegistryPath);
  checkDeviceTypes(config, registry);
  const metrics = createMetrics();
  // Not started here: the simulator brings the bus up itself and buffers while the broker is away.
  const bus = createKafkaBusFromConfig(config.bus, "simulator", log);
  const simulator = createSimulator(config, { bus, log, metrics, registry });
  const ops = opsRoutes("simulator", { checks: simulator.checks }, metrics).listen(config.port);
  const stop = async () => {
    await ops.stop();
    await simulator.stop();
    await bus.stop();
  };
  simulator.start();
  log.info("simulator ready", { ops: `http://127.0.0.1:${ops.server?.port}` });
  onShutdown(stop, log);
  // With --count or --duration the run ends by itself, flushed, like a SIGTERM.
  void simulator.finished.then(async () => {
    await stop();
    log.info("stopped");
    process.exit(0);
  });
} catch (e) {
  boot.error(e instanceof ConfigError ? e.message : "simulator failed to start", { error: errorMessage(e) });
  process.exit(1);
}
