/** One JSON file per part under bench/results/ (gitignored), with the machine and the command. */
import { mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { machineInfo } from "./machine";

export const RESULTS_DIR = join(import.meta.dir, "..", "results");
export const ROOT = join(import.meta.dir, "..", "..");

/** `bun bench/x.ts --flags`, plus the orchestrating command when there is one (BENCH_COMMAND). */
export function commandLine(): string {
  const own = ["bun", relative(ROOT, Bun.argv[1]!), ...Bun.argv.slice(2)].join(" ");
  return process.env.BENCH_COMMAND ? `${process.env.BENCH_COMMAND} → ${own}` : own;
}

export async function writeResult(part: string, kafkaVersion: string, body: Record<string, unknown>): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${part}.json`);
  const doc = {
    part,
    date: new Date().toISOString(),
    command: commandLine(),
    machine: machineInfo(kafkaVersion),
    ...body,
  };
  await Bun.write(path, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`→ ${relative(ROOT, path)}`);
  return path;
}

export async function readResult<T = Record<string, unknown>>(part: string): Promise<T | undefined> {
  const file = Bun.file(join(RESULTS_DIR, `${part}.json`));
  return (await file.exists()) ? ((await file.json()) as T) : undefined;
}
