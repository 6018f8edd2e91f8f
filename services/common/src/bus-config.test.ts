import { expect, test } from "bun:test";
import { createKafkaBusFromConfig, loadBusConfig } from "./bus-config";
import { ConfigError } from "./env";
import { quietLogger } from "./testing";

test("SASL settings are read, and a mechanism without its credentials names what is missing", () => {
  const config = loadBusConfig({
    KAFKA_BROKERS: "b:9092",
    KAFKA_SASL_MECHANISM: "scram-sha-256",
    KAFKA_SASL_USERNAME: "iot",
    KAFKA_SSL: "true",
  });
  expect(config.sasl).toEqual({ mechanism: "scram-sha-256", username: "iot" });
  expect(config.ssl).toBe(true);
  try {
    createKafkaBusFromConfig(config, "test", quietLogger());
    throw new Error("expected a ConfigError");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems).toEqual([
      "KAFKA_SASL_PASSWORD: is required with KAFKA_SASL_MECHANISM=scram-sha-256",
    ]);
  }
});

test("an unknown mechanism is refused at load, and no SASL is the default", () => {
  expect(() => loadBusConfig({ KAFKA_SASL_MECHANISM: "gssapi" })).toThrow(/KAFKA_SASL_MECHANISM/);
  expect(loadBusConfig({}).sasl.mechanism).toBe("none");
});
