/** The history service as the platform runs it: `runAlone(history)` or one entry of `bun run start`. */
import type { ServiceDefinition } from "@iot/common/service";
import { type HistoryConfig, loadConfig } from "./config";
import { createHistory } from "./history";

export const history: ServiceDefinition<HistoryConfig> = {
  name: "history",
  loadConfig: (env) => loadConfig(env),
  usesBus: true,
  create: (config, deps) => createHistory(config, deps),
};

export { createHistory, loadConfig };
export type { HistoryConfig };
