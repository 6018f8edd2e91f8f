/** The history service as the platform runs it: `runAlone(history)` or one entry of `bun run start`. */
import type { ServiceDefinition } from "@iot/common/service";
import { type HistoryConfig, loadHistoryConfig } from "./config";
import { createHistory } from "./history";

export const history: ServiceDefinition<HistoryConfig> = {
  name: "history",
  loadConfig: (env) => loadHistoryConfig(env),
  usesBus: true,
  create: (config, deps) => createHistory(config, deps),
};

export { createHistory, loadHistoryConfig };
export type { HistoryConfig };
