/** scripts/run-service.sh: the heap settings each service starts with, and an operator's own value winning. */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const SCRIPT = join(import.meta.dir, "../scripts/run-service.sh");
const dir = mkdtempSync(join(tmpdir(), "run-service-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a service's entry sees of the settings when the script starts it (as `bun run <service>` does). */
async function settingsOf(service: string, env: Record<string, string> = {}) {
  const entry = join(dir, "services", service, "src/main.ts");
  mkdirSync(dirname(entry), { recursive: true });
  writeFileSync(
    entry,
    "console.log(JSON.stringify([process.env.BUN_JSC_forceRAMSize, process.env.BUN_JSC_minEdenToOldGenerationRatio, process.env.MIMALLOC_PURGE_DELAY ?? null]));",
  );
  const {
    BUN_JSC_forceRAMSize: _,
    BUN_JSC_minEdenToOldGenerationRatio: __,
    MIMALLOC_PURGE_DELAY: ___,
    ...inherited
  } = process.env;
  const proc = Bun.spawn(["sh", SCRIPT, entry], { env: { ...inherited, ...env }, stdout: "pipe" });
  const [ramSize, edenRatio, purgeDelay] = JSON.parse(await new Response(proc.stdout).text()) as [
    string,
    string,
    string | null,
  ];
  expect(await proc.exited).toBe(0);
  return purgeDelay === null ? { ramSize, edenRatio } : { ramSize, edenRatio, purgeDelay };
}

test("the enriched topic's readers believe they have 128 MiB, the other services 256 MiB", async () => {
  expect(await settingsOf("dashboard")).toEqual({ ramSize: "134217728", edenRatio: "0.5" });
  expect(await settingsOf("delivery")).toEqual({ ramSize: "134217728", edenRatio: "0.5" });
  expect(await settingsOf("enrichment")).toEqual({ ramSize: "268435456", edenRatio: "0.5" });
  expect(await settingsOf("history")).toEqual({ ramSize: "134217728", edenRatio: "0.5", purgeDelay: "0" });
  expect(await settingsOf("alarms")).toEqual({ ramSize: "134217728", edenRatio: "0.5" });
  expect(await settingsOf("app-registry")).toEqual({ ramSize: "268435456", edenRatio: "0.5" });
});

test("a setting the operator made wins over the script's, for every service", async () => {
  const env = { BUN_JSC_forceRAMSize: "536870912", BUN_JSC_minEdenToOldGenerationRatio: "0.4" };
  expect(await settingsOf("dashboard", env)).toEqual({ ramSize: "536870912", edenRatio: "0.4" });
  expect(await settingsOf("enrichment", env)).toEqual({ ramSize: "536870912", edenRatio: "0.4" });
  expect(await settingsOf("history", { ...env, MIMALLOC_PURGE_DELAY: "100" })).toEqual({
    ramSize: "536870912",
    edenRatio: "0.4",
    purgeDelay: "100",
  });
});
