/** `bun run dashboard`: the dashboard on its own, against Kafka (KAFKA_BROKERS), on :5001. */
import { runAlone } from "@iot/common/run-alone";
import { dashboardService } from "./dashboard";

await runAlone(dashboardService);
