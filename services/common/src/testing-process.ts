/** Services as separate processes, the way users run them (for integration tests and drills). */
import { join } from "node:path";
import type { Subprocess } from "bun";
import { eventually } from "./testing";

/** Ports this process has handed out already (see freePort). */
const given = new Set<number>();

/**
 * A port nothing listens on now, never one this process handed out before: the kernel may give the
 * same free port to two binds in a row (here, 10 groups of 10 ports in 2,000 held a repeat), and a
 * test that takes a port for each of several servers would then see one of them fail to listen.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = s.port;
    s.stop(true);
    if (given.has(port)) continue;
    given.add(port);
    return port;
  }
}

export interface ServiceProcess {
  proc: Subprocess;
  lines: string[];
  /** Resolves with the first log line (so far or to come) matching `re`. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * The memory settings every service runs with (heap sizing, the allocator's purge) are set by
 * scripts/run-service.sh, as `bun run <service>` and the image run it, so a service started here
 * runs as it does there; a variable in this process's environment or in `env` overrides its default.
 */
const REPO_ROOT = join(import.meta.dir, "../../..");

/**
 * `bun <entry>` through scripts/run-service.sh (which execs bun: the pid is bun's), with `env` on top of
 * this process's environment; stdout/stderr lines are kept. `root` is the checkout whose script runs it
 * (a bench comparing checkouts passes the entry's own, so a change to the script is compared too).
 */
export function spawnService(entry: string, env: Record<string, string>, root = REPO_ROOT): ServiceProcess {
  return spawnProcess(["sh", join(root, "scripts/run-service.sh"), entry], env, entry);
}

/** Any command the same way (the bench's JVM peer), named `entry` in messages. */
export function spawnProcess(command: string[], env: Record<string, string>, entry: string): ServiceProcess {
  const proc = Bun.spawn(command, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    const text = new TextDecoder();
    for await (const chunk of stream) {
      const parts = (rest + text.decode(chunk, { stream: true })).split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
      if (process.env.TEST_LOG_LEVEL === "debug") parts.forEach((l) => console.error(`[${entry}] ${l}`));
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  return {
    proc,
    lines,
    waitForLog: (re, timeoutMs = 30_000) =>
      eventually(
        `${entry} to log ${re}`,
        () => {
          if (proc.exitCode !== null)
            throw new Error(`${entry} exited with ${proc.exitCode}:\n${lines.slice(-20).join("\n")}`);
          return lines.find((l) => re.test(l));
        },
        timeoutMs,
      ),
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      return await proc.exited;
    },
  };
}
