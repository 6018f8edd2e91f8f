/** `bun run enrichment`: consume iot.raw, enrich, publish iot.enriched (and iot.dlq) on Kafka. */
import { createKafkaBusFromConfig } from "@iot/common/bus-config";
import { ConfigError } from "@iot/common/env";
import { createLogger, errorMessage } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { opsRoutes } from "@iot/common/ops-routes";
import { onShutdown } from "@iot/common/shutdown";
import { loadEnrichmentConfig } from "./config";
import { createEnrichment } from "./enrichment";

const boot = createLogger("enrichment");
try {
  const config = loadEnrichmentConfig();
  const log = createLogger("enrichment", { level: config.logLevel });
  const metrics = createMetrics();
  const bus = createKafkaBusFromConfig(config.bus, "enrichment", log);
  await bus.start();
  const enrichment = await createEnrichment(config, { bus, log, metrics });
  await enrichment.start();
  const ops = opsRoutes("enrichment", { checks: enrichment.checks }, metrics).listen(config.port);
  log.info("enrichment ready", { ops: `http://127.0.0.1:${ops.server?.port}` });
  onShutdown(async () => {
    await ops.stop();
    await enrichment.stop();
    await bus.stop();
  }, log);
} catch (e) {
  boot.error(e instanceof ConfigError ? e.message : "enrichment failed to start", { error: errorMessage(e) });
  process.exit(1);
}
