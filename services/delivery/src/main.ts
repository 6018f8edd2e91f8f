/** `bun run delivery`: deliver iot.enriched records to registered applications (signed webhooks, SSE stream). */
import { runAlone } from "@iot/common/run-alone";
import { deliveryService } from "./delivery";

await runAlone(deliveryService);
