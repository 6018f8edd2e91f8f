/** `bun run history`: consume iot.enriched into SQLite or PostgreSQL; series API on :5008. */
import { runAlone } from "@iot/common/run-alone";
import { history } from "./index";

await runAlone(history);
