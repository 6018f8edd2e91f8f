import { describe, expect, test } from "bun:test";
import { ConfigError } from "@iot/common/env";
import { loadRegistry } from "../test/support";
import { checkDeviceTypes, DEFAULT_DEVICES, loadConfig } from "./config";

const registry = await loadRegistry();

function problems(env: Record<string, string>, argv: string[] = []): string {
  try {
    loadConfig(env, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("simulator config", () => {
  test("defaults: 3 breakers, 1 meter, 1 sensor every 5 s, 300 s trends, JSON, port 5003", () => {
    const c = loadConfig({});
    expect(c.devices).toEqual(DEFAULT_DEVICES);
    expect([c.intervalMs, c.trendsIntervalSec, c.format, c.port, c.burst, c.count, c.durationMs]).toEqual([
      5_000,
      300,
      "json",
      5003,
      false,
      0,
      0,
    ]);
    expect(c.seed).not.toBe(loadConfig({}).seed); // unseeded runs differ; the seed is logged to repeat one
  });

  test("environment variables", () => {
    const c = loadConfig({
      SIM_DEVICES: "smart_meter=2, environmental_sensor=7",
      PUBLISH_INTERVAL: "0.5",
      TRENDS_INTERVAL: "60",
      SIM_SEED: "s1",
      PAYLOAD_FORMAT: "protobuf",
      SIM_BURST: "true",
      SIM_ANOMALY_RATE: "0.05",
      SIM_BUFFER_MAX: "500",
    });
    expect(c.devices).toEqual([
      { type: "smart_meter", count: 2 },
      { type: "environmental_sensor", count: 7 },
    ]);
    expect([c.intervalMs, c.trendsIntervalSec, c.seed, c.format, c.burst, c.anomalyRate, c.maxBuffered]).toEqual([
      500,
      60,
      "s1",
      "protobuf",
      true,
      0.05,
      500,
    ]);
  });

  test("load-generation flags win over their variables; a rate sets the interval", () => {
    const c = loadConfig({ SIM_DEVICES: "smart_meter=1", SIM_COUNT: "5" }, [
      "--devices",
      "100000",
      "--rate",
      "20000",
      "--count",
      "7",
      "--duration",
      "60",
      "--burst",
    ]);
    expect(c.devices).toEqual([
      { type: "smart_breaker", count: 60_000 },
      { type: "smart_meter", count: 20_000 },
      { type: "environmental_sensor", count: 20_000 },
    ]);
    expect([c.intervalMs, c.count, c.durationMs, c.burst]).toEqual([5_000, 7, 60_000, true]);
  });

  test("a bad value stops it with a message naming the variable or flag", () => {
    expect(problems({ PUBLISH_INTERVAL: "fast" })).toContain(
      'PUBLISH_INTERVAL: expected a positive number, got "fast"',
    );
    expect(problems({ SIM_DEVICES: "smart_breaker:3" })).toContain("SIM_DEVICES: expected type=count");
    expect(problems({ SIM_ANOMALY_RATE: "2" })).toContain("SIM_ANOMALY_RATE");
    expect(problems({ PAYLOAD_FORMAT: "xml" })).toContain("PAYLOAD_FORMAT");
    expect(problems({}, ["--rate", "-3"])).toContain("--rate");
    expect(problems({}, ["--speed", "3"])).toContain("--speed");
    expect(problems({ PUBLISH_INTERVAL: "5", SIM_RATE: "100" })).toContain("SIM_RATE");
    const both = problems({ TRENDS_INTERVAL: "0", SIM_BUFFER_MAX: "x" });
    expect(both).toContain("TRENDS_INTERVAL");
    expect(both).toContain("SIM_BUFFER_MAX");
  });

  test("device types must exist in the registry", () => {
    expect(() => checkDeviceTypes(loadConfig({}), registry)).not.toThrow();
    expect(() => checkDeviceTypes(loadConfig({ SIM_DEVICES: "smart_breaker=1,toaster=2" }), registry)).toThrow(
      /SIM_DEVICES: toaster not in the device registry/,
    );
    expect(() => checkDeviceTypes(loadConfig({}, ["--devices", "toaster=2"]), registry)).toThrow(/--devices: toaster/);
  });
});
