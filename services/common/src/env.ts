/** Reads configuration from environment variables, collecting every problem before failing. */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

type Source = Record<string, string | undefined>;

export interface EnvReader {
  string(name: string, fallback: string): string;
  optional(name: string): string | undefined;
  int(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  port(name: string, fallback: number): number;
  bool(name: string, fallback: boolean): boolean;
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T;
  list(name: string, fallback: string[]): string[];
  /** Records a problem found by a check the reader does not know. */
  problem(name: string, why: string): void;
  /** Throws a ConfigError naming every bad variable seen so far. */
  done(): void;
}

export function envReader(source: Source = process.env): EnvReader {
  const problems: string[] = [];
  const raw = (name: string) => {
    const v = source[name]?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const bad = <T>(name: string, why: string, fallback: T): T => {
    problems.push(`${name}: ${why}`);
    return fallback;
  };

  const reader: EnvReader = {
    string: (name, fallback) => raw(name) ?? fallback,
    optional: (name) => raw(name),
    int(name, fallback, range = {}) {
      const v = raw(name);
      if (v === undefined) return fallback;
      if (!/^-?\d+$/.test(v)) return bad(name, `expected an integer, got "${v}"`, fallback);
      const n = Number(v);
      if (range.min !== undefined && n < range.min) return bad(name, `must be ≥ ${range.min}, got ${n}`, fallback);
      if (range.max !== undefined && n > range.max) return bad(name, `must be ≤ ${range.max}, got ${n}`, fallback);
      return n;
    },
    port: (name, fallback) => reader.int(name, fallback, { min: 0, max: 65535 }),
    bool(name, fallback) {
      const v = raw(name)?.toLowerCase();
      if (v === undefined) return fallback;
      if (["1", "true", "yes", "on"].includes(v)) return true;
      if (["0", "false", "no", "off"].includes(v)) return false;
      return bad(name, `expected true or false, got "${v}"`, fallback);
    },
    oneOf(name, values, fallback) {
      const v = raw(name);
      if (v === undefined) return fallback;
      const hit = values.find((x) => x === v);
      return hit ?? bad(name, `expected one of ${values.join("|")}, got "${v}"`, fallback);
    },
    list(name, fallback) {
      const v = raw(name);
      if (v === undefined) return fallback;
      const items = v.split(",").map((s) => s.trim()).filter(Boolean);
      return items.length > 0 ? items : bad(name, "expected a comma-separated list", fallback);
    },
    problem(name, why) {
      problems.push(`${name}: ${why}`);
    },
    done() {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
  return reader;
}

/** `host:port` list for KAFKA_BROKERS, checked for shape. */
export function brokerList(env: EnvReader, name = "KAFKA_BROKERS"): string[] {
  const brokers = env.list(name, []);
  const bad = brokers.filter((b) => !/^[A-Za-z0-9.\-_\[\]:]+:\d{1,5}$/.test(b));
  if (bad.length === 0) return brokers;
  env.problem(name, `expected host:port[,host:port…], got "${bad.join(",")}"`);
  return [];
}
