import { runBusContract } from "../src/bus/bus-contract";
import { createPlatformaticBus } from "../src/bus/platformatic-bus";
import { kafkaBrokers, quietLogger, uniqueName } from "../src/testing";

// Against the real broker the run started (KAFKA_BROKERS); without one this fails, never skips.
runBusContract("platformatic", async (topics) => createPlatformaticBus({ brokers: kafkaBrokers(), clientId: uniqueName("contract"), topics, log: quietLogger() }), 30_000);
