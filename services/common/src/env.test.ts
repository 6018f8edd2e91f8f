import { expect, test } from "bun:test";
import { brokerList, ConfigError, envReader } from "./env";

test("defaults apply when variables are unset or blank", () => {
  const env = envReader({ BLANK: "  " });
  expect(env.int("BLANK", 7)).toBe(7);
  expect(env.port("PORT", 5001)).toBe(5001);
  expect(env.bool("FLAG", true)).toBe(true);
  expect(env.list("LIST", ["a"])).toEqual(["a"]);
  expect(() => env.done()).not.toThrow();
});

test("every bad variable is named in one error, with what was expected", () => {
  const env = envReader({ PORT: "http", COUNT: "-3", FLAG: "maybe", FORMAT: "xml", KAFKA_BROKERS: "localhost" });
  env.port("PORT", 5001);
  env.int("COUNT", 1, { min: 0 });
  env.bool("FLAG", false);
  env.oneOf("FORMAT", ["json", "protobuf"] as const, "json");
  brokerList(env);
  try {
    env.done();
    throw new Error("expected a ConfigError");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems).toEqual([
      'PORT: expected an integer, got "http"',
      "COUNT: must be ≥ 0, got -3",
      'FLAG: expected true or false, got "maybe"',
      'FORMAT: expected one of json|protobuf, got "xml"',
      'KAFKA_BROKERS: expected host:port[,host:port…], got "localhost"',
    ]);
  }
});

test("broker lists are split and trimmed", () => {
  const env = envReader({ KAFKA_BROKERS: " a:9092, b:9093 " });
  expect(brokerList(env)).toEqual(["a:9092", "b:9093"]);
  env.done();
});
