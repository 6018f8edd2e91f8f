/** Structured JSON logs on stdout, one object a line, with secrets redacted. */

export type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secret = /token|secret|password|passwd|api_?key|authorization|cookie/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(
  service: string,
  opts: { level?: Level; write?: (line: string) => void; base?: Record<string, unknown> } = {},
): Logger {
  const min = order[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const base = { service, ...opts.base };
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }, redact));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(service, { ...opts, base: { ...opts.base, ...fields } }),
  };
}

function redact(key: string, value: unknown): unknown {
  if (key && secret.test(key) && value !== undefined && value !== null && value !== "") return "[redacted]";
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** Reason text for a thrown value, for logs and dead-letter headers. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
