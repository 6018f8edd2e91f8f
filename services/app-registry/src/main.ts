/** `bun run app-registry`: config → registry (database, REST :5002, RPC :50051) → stop on SIGTERM/SIGINT. */
import { createLogger, errorMessage } from "@iot/common/logger";
import { onShutdown } from "@iot/common/shutdown";
import { createAppRegistry } from "./app-registry";
import { loadConfig } from "./config";

const boot = createLogger("app-registry");
try {
  const config = loadConfig();
  const log = createLogger("app-registry", { level: config.logLevel });
  const running = await createAppRegistry(config, { log });
  onShutdown(running.stop, log);
} catch (e) {
  boot.error("start failed", { error: errorMessage(e) });
  process.exit(1);
}
