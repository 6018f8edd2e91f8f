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
  const proc = Bun.spawn(["bun", "run", script], { cwd: REPO_ROOT, env: registryEnv(env), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const logs = stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, any>);
  return { code, stdout, stderr, logs };
}
