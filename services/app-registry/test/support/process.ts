/** Running the package's commands (`bun run app-registry`, `bun run registry:seed`) as a user would. */
import { createServer } from "node:net";

export const REPO_ROOT = `${import.meta.dir}/../../../..`;

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The registry's variables cleared (so the caller's shell cannot leak in), then `env` applied. */
export const registryEnv = (env: Record<string, string>) => ({
  ...process.env,
  DATABASE_URL: "",
  REGISTRY_ADMIN_TOKEN: "",
  REGISTRY_DB_PATH: "",
  REGISTRY_HTTP_PORT: "",
  REGISTRY_RPC_PORT: "",
  ...env,
});

export async function runScript(script: string, env: Record<string, string>) {
  const proc = Bun.spawn(["bun", "run", script], {
    cwd: REPO_ROOT,
    env: registryEnv(env),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const logs = stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, any>);
  return { code, stdout, stderr, logs };
}

/** Starts the service and resolves once it logs that it is listening. */
export async function startRegistryProcess(env: Record<string, string>) {
  const proc = Bun.spawn(["bun", "run", "app-registry"], {
    cwd: REPO_ROOT,
    env: registryEnv(env),
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const next = async (): Promise<Record<string, any>> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`exited before logging: ${lines.join("\n")}`);
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    lines.push(line);
    return JSON.parse(line);
  };
  const waitFor = async (msg: string) => {
    for (let entry = await next(); ; entry = await next()) if (entry.msg === msg) return entry;
  };
  return { proc, waitFor };
}
