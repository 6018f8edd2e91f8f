/** `bun run enrichment` as an operator meets it: bad settings stop it with a reason; SIGTERM is clean. */
import { afterAll, expect, test } from "bun:test";
import { spawnService } from "@iot/common/testing-process";
import { join } from "node:path";
import { enrichmentEnv, registryProcess, root, testTopics } from "./fixtures";

const entry = join(root, "services/enrichment/src/main.ts");
let registry: Awaited<ReturnType<typeof registryProcess>> | undefined;
afterAll(() => registry?.proc.stop());

test("a bad variable stops it with exit 1 and a message naming the variable", async () => {
  const proc = spawnService(
    entry,
    enrichmentEnv(testTopics(), "http://127.0.0.1:1", { PAYLOAD_FORMAT: "xml", ENRICHMENT_PORT: "http" }),
  );
  expect(await proc.proc.exited).toBe(1);
  const line = proc.lines.find((l) => l.includes("invalid configuration"))!;
  expect(line).toContain("PAYLOAD_FORMAT: expected one of json|protobuf");
  expect(line).toContain("ENRICHMENT_PORT: expected an integer");
});

test("without KAFKA_BROKERS it says a broker is needed", async () => {
  const proc = spawnService(entry, { ...enrichmentEnv(testTopics(), "http://127.0.0.1:1"), KAFKA_BROKERS: "" });
  expect(await proc.proc.exited).toBe(1);
  expect(proc.lines.join("\n")).toContain("KAFKA_BROKERS is required to run enrichment on its own");
});

test("SIGTERM stops consuming, commits and exits 0", async () => {
  registry = await registryProcess();
  const proc = spawnService(entry, enrichmentEnv(testTopics(), registry.rpcUrl, { LOG_LEVEL: "info" }));
  await proc.waitForLog(/enrichment ready/);
  expect(await proc.stop("SIGTERM")).toBe(0);
  expect(proc.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
}, 30_000);
