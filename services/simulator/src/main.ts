/** `bun run simulator`: a simulated device fleet publishing telemetry and trends to Kafka. */
import { runAlone } from "@iot/common/run-alone";
import { simulatorService } from "./simulator";

await runAlone(simulatorService);
