import { runBusContract } from "./bus-contract";
import { createKafkaBus } from "./kafka-bus";
import { kafkaBrokers, quietLogger, uniqueName } from "../testing";

// Against the real broker the run started (KAFKA_BROKERS); without one this fails, never skips.
runBusContract("kafka", async (topics) => createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName("contract"), topics, log: quietLogger() }), 30_000);
