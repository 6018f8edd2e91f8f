import { runBusContract } from "../src/bus/bus-contract";
import { createKafkaBus } from "../src/bus/kafka-bus";
import { kafkaBrokers, quietLogger, uniqueName } from "../src/testing";

// Against the real broker the run started (KAFKA_BROKERS); without one this fails, never skips.
runBusContract(
  "kafka",
  async (topics) =>
    createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName("contract"), topics, log: quietLogger() }),
  30_000,
);
