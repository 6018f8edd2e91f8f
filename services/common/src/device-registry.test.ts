import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDeviceRegistry, parseDeviceRegistry, RegistryFileError, watchDeviceRegistry } from "./device-registry";
import { createLogger } from "./logger";
import { eventually } from "./testing";

const shipped = new URL("../../../config/device-registry.json", import.meta.url).pathname;
const doc = async () => JSON.parse(await Bun.file(shipped).text());

describe("device registry file", () => {
  test("the shipped registry is valid and has the three device types", async () => {
    const r = await loadDeviceRegistry(shipped);
    expect([...r.types.keys()]).toEqual(["smart_breaker", "smart_meter", "environmental_sensor"]);
    expect(r.types.get("smart_breaker")!.measurements.voltage).toMatchObject({
      min_value: 110,
      max_value: 130,
      phases: ["phase_a", "phase_b", "phase_c"],
    });
  });

  test("every problem is named with its path", async () => {
    const d = await doc();
    d.device_types["Bad Id"] = d.device_types.smart_meter;
    d.device_types.smart_meter.measurements.energy.min_value = "low";
    d.device_types.environmental_sensor.measurements.humidity.min_value = 101;
    try {
      parseDeviceRegistry(d);
      throw new Error("expected a RegistryFileError");
    } catch (e) {
      expect(e).toBeInstanceOf(RegistryFileError);
      const msg = (e as Error).message;
      expect(msg).toContain("device_types.Bad Id: id must match");
      expect(msg).toContain("device_types.smart_meter.measurements.energy.min_value: expected a number");
      expect(msg).toContain(
        "device_types.environmental_sensor.measurements.humidity: min_value is greater than max_value",
      );
    }
  });

  test("a file that is not JSON is a RegistryFileError naming the file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "devreg-")), "broken.json");
    writeFileSync(path, "{ not json");
    await expect(loadDeviceRegistry(path)).rejects.toThrow(RegistryFileError);
  });
});

describe("watching the registry file", () => {
  const watchers: Array<{ close(): void }> = [];
  afterEach(() => watchers.splice(0).forEach((w) => w.close()));
  const log = createLogger("test", { level: "error" });

  test("a new device type is picked up without a restart; a broken edit keeps the last good registry", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "devreg-")), "device-registry.json");
    const d = await doc();
    writeFileSync(path, JSON.stringify(d));
    const w = await watchDeviceRegistry(path, log);
    watchers.push(w);
    expect(w.get().types.has("water_pump")).toBe(false);

    d.device_types.water_pump = {
      name: "Water Pump",
      description: "Pump",
      category: "water",
      measurements: { flow: { unit: "l/min", min_value: 0, max_value: 500 } },
    };
    // Written the way editors do it: a new file renamed over the old one.
    writeFileSync(`${path}.tmp`, JSON.stringify(d));
    renameSync(`${path}.tmp`, path);
    await eventually("the new device type", () => (w.get().types.has("water_pump") ? true : undefined), 5_000);

    const good = w.get();
    writeFileSync(path, "{ half-saved");
    await w.reload();
    expect(w.get()).toBe(good);
  });
});
