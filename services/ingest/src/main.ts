/** `bun run ingest`: the devices' MQTT server and HTTP endpoint, writing to iot.raw on Kafka. */
import { runAlone } from "@iot/common/run-alone";
import { ingestService } from "./ingest";

await runAlone(ingestService);
