import { expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { loadBusConfig } from "./bus-config";
import { ConfigError, env, loadEnv } from "./env";

const schema = Type.Object({
  port: env.port("PORT", 5001),
  count: env.int("COUNT", 1, { min: 0 }),
  flag: env.bool("FLAG", true),
  format: env.oneOf("FORMAT", ["json", "protobuf"] as const, "json"),
  list: env.list("LIST", ["a"]),
  ratio: env.number("RATIO", 0.5, { zero: true, max: 1 }),
  secret: env.optional("SECRET_URL", { pattern: "^postgres://", expected: "a postgres:// URL", secret: true }),
  nested: Type.Object({
    ms: Type.Transform(env.int("SECONDS", 2))
      .Decode((s) => s * 1000)
      .Encode((ms) => ms / 1000),
  }),
});

const problems = (source: Record<string, string>) => {
  try {
    loadEnv(schema, source);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
};

test("defaults apply when variables are unset or blank, decoded like a value", () => {
  expect(loadEnv(schema, { PORT: "  ", LIST: "" })).toEqual({
    port: 5001,
    count: 1,
    flag: true,
    format: "json",
    list: ["a"],
    ratio: 0.5,
    nested: { ms: 2000 },
  });
});

test("values are read as the schema's types and decoded", () => {
  const source = {
    PORT: "0",
    COUNT: "3",
    FLAG: "off",
    FORMAT: "protobuf",
    LIST: " x, y ,",
    RATIO: "1",
    SECRET_URL: "postgres://db",
    SECONDS: "5",
  };
  expect(loadEnv(schema, source)).toEqual({
    port: 0,
    count: 3,
    flag: false,
    format: "protobuf",
    list: ["x", "y"],
    ratio: 1,
    secret: "postgres://db",
    nested: { ms: 5000 },
  });
});

test("every bad variable is named in one error, with what was expected; a secret value is never echoed", () => {
  expect(
    problems({
      PORT: "http",
      COUNT: "-3",
      FLAG: "maybe",
      FORMAT: "xml",
      LIST: ",",
      RATIO: "2",
      SECRET_URL: "mysql://root:pw@db",
      SECONDS: "1.5",
    }),
  ).toEqual([
    'PORT: expected an integer, got "http"',
    "COUNT: must be ≥ 0, got -3",
    'FLAG: expected true or false, got "maybe"',
    'FORMAT: expected one of json|protobuf, got "xml"',
    'LIST: expected a comma-separated list, got ","',
    "RATIO: expected a non-negative number ≤ 1, got 2",
    "SECRET_URL: expected a postgres:// URL",
    'SECONDS: expected an integer, got "1.5"',
  ]);
  expect(problems({ PORT: "70000" })).toEqual(["PORT: must be ≤ 65535, got 70000"]);
});

test("only the variables the schema names are read", () => {
  const read: string[] = [];
  const source = new Proxy({} as Record<string, string>, { get: (t, k: string) => (read.push(k), t[k]) });
  loadEnv(schema, source);
  expect(read).toEqual(["PORT", "COUNT", "FLAG", "FORMAT", "LIST", "RATIO", "SECRET_URL", "SECONDS"]);
});

test("broker lists are split, trimmed and checked for shape", () => {
  expect(loadBusConfig({ KAFKA_BROKERS: " a:9092, b:9093 " }).brokers).toEqual(["a:9092", "b:9093"]);
  expect(loadBusConfig({}).brokers).toEqual([]);
  expect(() => loadBusConfig({ KAFKA_BROKERS: "localhost" })).toThrow(
    'KAFKA_BROKERS: expected host:port[,host:port…], got "localhost"',
  );
});
