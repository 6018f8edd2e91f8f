/** `bun run start`: the whole platform in one process, on embedded defaults. Ctrl-C stops it cleanly. */
import { ConfigError } from "@iot/common/env";
import { createLogger, errorMessage } from "@iot/common/logger";
import { onShutdown } from "@iot/common/shutdown";
import { startPlatform } from "./platform";

const log = createLogger("platform", { level: process.env.LOG_LEVEL === "debug" ? "debug" : "info" });
try {
  const platform = await startPlatform(process.env, log);
  const where = platform.services.flatMap((s) => Object.entries(s.urls()));
  console.log(
    [
      "",
      `  IoT Cloud Platform is running (${platform.bus === "memory" ? "in-process bus, SQLite: nothing on the bus survives a restart" : "Kafka"})`,
      ...where.map(([label, url]) => `  ${label.padEnd(14)} ${url.replace("127.0.0.1", "localhost")}`),
      ...(platform.applied.INGEST_MQTT_PORT
        ? [
            `  MQTT devices connect on ${platform.applied.INGEST_MQTT_PORT}, not 1883: 1883 is left to a local broker (INGEST_MQTT_PORT moves it).`,
          ]
        : []),
      "  Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  onShutdown(platform.stop, log);
} catch (e) {
  log.error(e instanceof ConfigError ? e.message : "the platform failed to start", { error: errorMessage(e) });
  process.exit(1);
}
