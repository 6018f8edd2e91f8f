/** What a figure was measured on: every result file carries this. */
import { cpus, loadavg, totalmem } from "node:os";

export interface Machine {
  cpu_model: string;
  cores: number;
  memory_gb: number;
  os: string;
  bun: string;
  kafka: string;
  /** 1/5/15-minute load when the part started: other work on a shared machine shows here. */
  load_average_at_start: number[];
}

export function machineInfo(kafkaVersion: string): Machine {
  return {
    cpu_model: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${process.arch}`,
    bun: Bun.version,
    kafka: kafkaVersion,
    load_average_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
