/** `bun run alarms`: consume iot.enriched, evaluate the device registry's alarm rules, publish iot.alarms; API on :5007. */
import { runAlone } from "@iot/common/run-alone";
import { alarmsDefinition } from "./alarms";

await runAlone(alarmsDefinition);
