/** `bun run dashboard`: the dashboard on its own, against Kafka (KAFKA_BROKERS), on :5001. */
import { createKafkaBusFromConfig } from "@iot/common/bus-config";
import { createLogger, errorMessage } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { onShutdown } from "@iot/common/shutdown";
import { readDashboardConfig } from "./config";
import { createDashboard } from "./dashboard";

const boot = createLogger("dashboard");
try {
  const config = readDashboardConfig();
  const log = createLogger("dashboard", { level: config.logLevel });
  const bus = createKafkaBusFromConfig(config.bus, "dashboard", log);
  await bus.start();
  const dashboard = createDashboard(config, { bus, log, metrics: createMetrics() });
  await dashboard.start().catch(async (e) => {
    await bus.stop(); // a half-started kafkajs client would keep the process alive
    throw e;
  });
  onShutdown(async () => {
    await dashboard.stop();
    await bus.stop();
  }, log);
} catch (e) {
  boot.error("dashboard failed to start", { error: errorMessage(e) });
  process.exit(1);
}
