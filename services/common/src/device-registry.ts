/** The device-type registry (config/device-registry.json): loaded, validated, and watched for changes. */
import { watch } from "node:fs";
import { basename, dirname } from "node:path";
import { type AlarmRule, metricPaths, parseAlarmRules } from "./alarm-rules";
import type { Logger } from "./logger";
import { errorMessage } from "./logger";

export const DEVICE_TYPE_ID = /^[a-z][a-z0-9_]{0,63}$/;

export interface Bounds {
  min_value?: number;
  max_value?: number;
}

export interface MeasurementSpec extends Bounds {
  unit?: string;
  description?: string;
  data_type?: string;
  phases?: string[];
  components?: Record<string, Bounds & { unit?: string; description?: string; valid_values?: unknown[] }>;
}

export interface DeviceType {
  id: string;
  name: string;
  description: string;
  category: string;
  capabilities: string[];
  measurements: Record<string, MeasurementSpec>;
  data_format: string;
  update_frequency: string;
  retention_policy: string;
}

export interface DeviceRegistry {
  types: Map<string, DeviceType>;
  /** Each type's `alarm_rules`, in file order (evaluated by the alarms service). */
  alarmRules: Map<string, AlarmRule[]>;
}

export class RegistryFileError extends Error {
  override name = "RegistryFileError";
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** Validates the parsed file; every problem is listed with its JSON path. */
export function parseDeviceRegistry(doc: unknown): DeviceRegistry {
  const problems: string[] = [];
  const need = (ok: boolean, path: string, what: string) => ok || problems.push(`${path}: ${what}`);
  if (!isObj(doc) || !isObj(doc.device_types))
    throw new RegistryFileError("device_types: expected an object of device types");
  const types = new Map<string, DeviceType>();
  const alarmRules = new Map<string, AlarmRule[]>();
  for (const [id, raw] of Object.entries(doc.device_types)) {
    const at = `device_types.${id}`;
    need(DEVICE_TYPE_ID.test(id), at, "id must match ^[a-z][a-z0-9_]{0,63}$");
    if (!isObj(raw)) {
      need(false, at, "expected an object");
      continue;
    }
    for (const f of ["name", "description", "category"] as const)
      need(typeof raw[f] === "string" && raw[f] !== "", `${at}.${f}`, "expected a non-empty string");
    for (const f of ["data_format", "update_frequency", "retention_policy"] as const)
      need(raw[f] === undefined || typeof raw[f] === "string", `${at}.${f}`, "expected a string");
    need(
      raw.capabilities === undefined || isStrArr(raw.capabilities),
      `${at}.capabilities`,
      "expected a list of strings",
    );
    need(isObj(raw.measurements), `${at}.measurements`, "expected an object of measurement groups");
    const measurements: Record<string, MeasurementSpec> = {};
    for (const [group, spec] of Object.entries(isObj(raw.measurements) ? raw.measurements : {})) {
      const gat = `${at}.measurements.${group}`;
      if (!isObj(spec)) {
        need(false, gat, "expected an object");
        continue;
      }
      checkBounds(spec, gat, need);
      need(spec.phases === undefined || isStrArr(spec.phases), `${gat}.phases`, "expected a list of strings");
      need(spec.components === undefined || isObj(spec.components), `${gat}.components`, "expected an object");
      for (const [c, cs] of Object.entries(isObj(spec.components) ? spec.components : {})) {
        if (isObj(cs)) checkBounds(cs, `${gat}.components.${c}`, need);
        else need(false, `${gat}.components.${c}`, "expected an object");
      }
      measurements[group] = spec as MeasurementSpec;
    }
    types.set(id, {
      id,
      name: String(raw.name),
      description: String(raw.description),
      category: String(raw.category),
      capabilities: isStrArr(raw.capabilities) ? raw.capabilities : [],
      measurements,
      data_format: typeof raw.data_format === "string" ? raw.data_format : "json",
      update_frequency: typeof raw.update_frequency === "string" ? raw.update_frequency : "",
      retention_policy: typeof raw.retention_policy === "string" ? raw.retention_policy : "",
    });
    alarmRules.set(
      id,
      parseAlarmRules(
        raw.alarm_rules,
        { typeId: id, metrics: metricPaths(measurements), updateFrequency: String(raw.update_frequency ?? "") },
        `${at}.alarm_rules`,
        problems,
      ),
    );
  }
  if (problems.length > 0) throw new RegistryFileError(problems.join("; "));
  return { types, alarmRules };
}

function checkBounds(spec: Record<string, unknown>, at: string, need: (ok: boolean, p: string, w: string) => unknown) {
  for (const f of ["min_value", "max_value"] as const)
    need(
      spec[f] === undefined || (typeof spec[f] === "number" && Number.isFinite(spec[f])),
      `${at}.${f}`,
      "expected a number",
    );
  if (typeof spec.min_value === "number" && typeof spec.max_value === "number")
    need(spec.min_value <= spec.max_value, at, "min_value is greater than max_value");
}

export async function loadDeviceRegistry(path: string): Promise<DeviceRegistry> {
  let doc: unknown;
  try {
    doc = JSON.parse(await Bun.file(path).text());
  } catch (e) {
    throw new RegistryFileError(`${path}: ${errorMessage(e)}`);
  }
  return parseDeviceRegistry(doc);
}

/**
 * Holds the current registry and re-reads the file when it changes. A broken edit keeps the last
 * good registry (and is logged), so a typo in the file never stops the pipeline.
 */
export async function watchDeviceRegistry(path: string, log: Logger) {
  let current = await loadDeviceRegistry(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reload = async () => {
    try {
      current = await loadDeviceRegistry(path);
      log.info("device registry reloaded", { path, device_types: current.types.size });
    } catch (e) {
      log.error("device registry reload failed; keeping the last good one", { path, error: errorMessage(e) });
    }
  };
  // Watch the folder: editors often replace the file, which ends a watch on the file itself.
  // They also write in several steps, so settle before reading.
  const watcher = watch(dirname(path), (_event, file) => {
    if (file !== null && file !== basename(path)) return;
    clearTimeout(timer);
    timer = setTimeout(reload, 100);
  });
  return {
    get: () => current,
    reload,
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
