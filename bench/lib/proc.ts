/**
 * Per-process memory and CPU from /proc (Linux). Peak RSS is the kernel's own high-water mark
 * (VmHWM), read every `intervalMs` while the process lives, so nothing between samples is missed;
 * the last read before a process exits bounds what is lost to at most that interval of growth.
 */
import { readdirSync, readFileSync } from "node:fs";

const kb = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // the process is gone
  }
};

/** Current and peak resident set size in MB, or undefined once the process has exited. */
export function rssMb(pid: number): { rss: number; peak: number } | undefined {
  const status = read(`/proc/${pid}/status`);
  return status === undefined ? undefined : { rss: kb(status, "VmRSS") / 1024, peak: kb(status, "VmHWM") / 1024 };
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return NaN;
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
}

export function commandOf(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? "").replaceAll("\0", " ").trim();
}

/** The Kafka client a bus-using process runs (its KAFKA_CLIENT; unset: the default). */
export function kafkaClientOf(pid: number): string {
  const environ = read(`/proc/${pid}/environ`) ?? "";
  return /(?:^|\0)KAFKA_CLIENT=([^\0]+)/.exec(environ)?.[1] ?? "platformatic";
}

/** Every live descendant of `root`. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (stat === undefined) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

/** The bench's own consumer → producer: watched like a service, but not one. */
export const PASSTHROUGH_LABEL = "passthrough (bench, not a service)";

/** Which service a command line runs (undefined: not a service, e.g. a load tool or a bench harness). */
export function serviceOf(command: string): string | undefined {
  const service = /services\/([\w-]+)\/src\/main\.ts/.exec(command)?.[1];
  if (service) return service;
  if (command.includes("bench/passthrough.ts")) return PASSTHROUGH_LABEL;
  // bench/simulator.ts runs each step's simulator inside a child of its own.
  if (command.includes("bench/simulator.ts") && command.includes("--step")) return "simulator (bench step)";
  return undefined;
}

export interface PeakRss {
  label: string;
  processes: number;
  peak_rss_mb: number;
}

/**
 * Watches processes and remembers each label's highest peak RSS: explicitly tracked pids, and/or
 * every descendant of `treeRoot` that `serviceOf` recognises.
 */
export function createRssWatch(opts: { treeRoot?: number; intervalMs?: number } = {}) {
  const tracked = new Map<number, string>();
  const peaks = new Map<string, { pids: Set<number>; peak: number }>();
  const sample = () => {
    if (opts.treeRoot !== undefined) {
      for (const pid of descendants(opts.treeRoot)) {
        if (tracked.has(pid)) continue;
        const label = serviceOf(commandOf(pid));
        // The app registry uses no bus; every other process is labelled with its Kafka client.
        if (label) tracked.set(pid, label === "app-registry" ? label : `${label} (${kafkaClientOf(pid)})`);
      }
    }
    for (const [pid, label] of tracked) {
      const m = rssMb(pid);
      if (!m) {
        tracked.delete(pid);
        continue;
      }
      const p = peaks.get(label) ?? { pids: new Set(), peak: 0 };
      p.pids.add(pid);
      p.peak = Math.max(p.peak, m.peak, m.rss);
      peaks.set(label, p);
    }
  };
  const timer = setInterval(sample, opts.intervalMs ?? 500);
  return {
    track(pid: number, label: string) {
      tracked.set(pid, label);
      sample();
    },
    /** Reads once more (call before stopping the processes), then the peaks so far. */
    peaks(): PeakRss[] {
      sample();
      return [...peaks].map(([label, p]) => ({ label, processes: p.pids.size, peak_rss_mb: Math.round(p.peak) }));
    },
    peakOf(label: string): number | undefined {
      sample();
      const p = peaks.get(label);
      return p && Math.round(p.peak);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
