/** `bun run app-registry`: database, REST :5002, RPC :50051; stops cleanly on SIGTERM/SIGINT. */
import { runAlone } from "@iot/common/run-alone";
import { appRegistryService } from "./app-registry";

await runAlone(appRegistryService);
