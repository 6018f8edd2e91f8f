/**
 * A consumer run watched until its output is complete: the output topics' record count polled, the
 * CPU of its processes and of the broker sampled over time (so the CPU of exactly the first → last
 * output window can be taken afterwards), and a run that stops making progress failed fast with
 * what its processes logged.
 */
import type { Admin } from "./kafka";
import { cpuSeconds } from "./proc";

const STALL_MS = 30_000;
const POLL_MS = 250;

export interface Watched {
  pids: number[];
  /** Throws if a process already exited (it would otherwise show as a slow run). */
  check(): void;
  lastLines(): string;
}

export interface CpuSample {
  at: number;
  /** CPU seconds of the watched processes, and of the broker (NaN: not this repo's broker). */
  processes: number;
  broker: number;
}

/** Resolves once `topics` hold `expected` records; the CPU samples taken meanwhile. */
export async function watchOutput(
  admin: Admin,
  topics: string[],
  expected: number,
  procs: Watched,
  what: string,
  brokerPid?: number,
): Promise<CpuSample[]> {
  const cpu: CpuSample[] = [];
  for (let seen = 0, progressAt = performance.now(); ; await Bun.sleep(POLL_MS)) {
    cpu.push({
      at: Date.now(),
      processes: procs.pids.reduce((n, p) => n + cpuSeconds(p), 0),
      broker: brokerPid ? cpuSeconds(brokerPid) : NaN,
    });
    procs.check();
    const written = await admin.records(topics);
    if (written >= expected) return cpu;
    if (written > seen) [seen, progressAt] = [written, performance.now()];
    if (performance.now() - progressAt > STALL_MS)
      throw new Error(
        `${what}: stuck at ${written}/${expected} records for ${STALL_MS / 1000} s; last log lines:\n${procs.lastLines()}`,
      );
  }
}

/** CPU seconds used between the samples that enclose [fromMs, toMs], and that window's length in s. */
export function cpuOver(samples: CpuSample[], fromMs: number, toMs: number) {
  const before = samples.findLast((s) => s.at <= fromMs) ?? samples[0]!;
  const after = samples.find((s) => s.at >= toMs) ?? samples.at(-1)!;
  return {
    processes: after.processes - before.processes,
    broker: after.broker - before.broker,
    seconds: (after.at - before.at) / 1000,
  };
}
