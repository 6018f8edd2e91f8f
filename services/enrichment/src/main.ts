/** `bun run enrichment`: consume iot.raw, enrich, publish iot.enriched (and iot.dlq) on Kafka. */
import { runAlone } from "@iot/common/run-alone";
import { enrichmentService } from "./enrichment";

await runAlone(enrichmentService);
