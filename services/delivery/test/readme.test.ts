/**
 * The README's "Receiving your data" blocks, run verbatim: the Bun receiver (as a file, as a reader
 * would save it) and the two commands. The one substitution: the default ports become this test's
 * ephemeral ones.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventBus } from "@iot/common/bus";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger, uniqueName } from "@iot/common/testing";
import { freePort, spawnService } from "@iot/common/testing-process";
import { startTestRegistry, type TestRegistry } from "../../app-registry/test/support/registry";
import { loadConfig } from "../src/config";
import { createDelivery } from "../src/delivery";
import { deliveryEnv, publishEnriched, root, testBus, testTopics } from "./support";

const t = testTopics();
let registry: TestRegistry;
let bus: EventBus;
let delivery: Awaited<ReturnType<typeof createDelivery>>;

beforeAll(async () => {
  registry = await startTestRegistry("sqlite");
  bus = await testBus(t);
  delivery = await createDelivery(loadConfig(deliveryEnv(t, registry, { DELIVERY_ALLOWED_HOSTS: "localhost" })), {
    bus,
    log: quietLogger(),
    metrics: createMetrics(),
  });
  await delivery.start();
});
afterAll(async () => {
  await delivery?.stop();
  await bus?.stop();
  await registry?.close();
});

const readme = await Bun.file(join(root, "README.md")).text();
const start = readme.indexOf("## Receiving your data");
const section = readme.slice(start, readme.indexOf("\n## ", start + 1));

test("the README's receiver verifies real deliveries and refuses a forged one; curl -N streams", async () => {
  const [receiverCode] = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const [register, stream] = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect([receiverCode, register, stream].every(Boolean)).toBe(true);
  expect(receiverCode!.trim().split("\n").length).toBeLessThanOrEqual(12);
  const hookPort = await freePort();
  const local = (command: string) =>
    command
      .replaceAll("localhost:5002", `localhost:${new URL(registry.httpUrl).port}`)
      .replaceAll("localhost:5006", `localhost:${new URL(delivery.urls().Delivery!).port}`)
      .replaceAll("localhost:8080", `localhost:${hookPort}`);

  // Not spawnSync: the registry answering it runs in this process.
  const reg = Bun.spawn(["bash", "-c", local(register!)], { cwd: root, stdout: "pipe" });
  const [out, code] = await Promise.all([new Response(reg.stdout).text(), reg.exited]);
  expect(code).toBe(0);
  const { application } = JSON.parse(out) as { application: { id: string; api_key: string; webhook_secret: string } };

  const file = join(mkdtempSync(join(tmpdir(), "receiver-")), "receiver.ts");
  writeFileSync(file, receiverCode!);
  const receiver = spawnService(file, { WEBHOOK_SECRET: application.webhook_secret, PORT: String(hookPort) });
  let curl: Bun.Subprocess<"ignore", "pipe"> | undefined;
  let streamed = "";
  try {
    // Delivery learns of an application from the registry's change feed, moments after the write:
    // until then its api key is unknown there and the stream answers 401, so curl starts after.
    await eventually(
      "the webhook channel",
      () => (delivery.webhookApps().includes(application.id) ? true : undefined),
      20_000,
    );
    curl = Bun.spawn(["bash", "-c", local(stream!)], {
      cwd: root,
      env: { ...process.env, API_KEY: application.api_key },
      stdout: "pipe",
    });
    void (async () => {
      for await (const chunk of curl.stdout) streamed += new TextDecoder().decode(chunk);
    })();
    await eventually("the receiver listening", () =>
      fetch(`http://127.0.0.1:${hookPort}/`, { method: "POST", body: "[]" }).then(
        () => true,
        () => undefined,
      ),
    );
    await eventually("curl connected", () => (streamed.includes(": connected") ? true : undefined));
    const tag = uniqueName("readme");
    // The stream session joins its group moments after connecting: publish until both have it.
    for (let i = 0; !(streamed.includes(`${tag}-`) && receiver.lines.some((l) => l.includes(`${tag}-`))); i++) {
      if (i > 60) throw new Error("nothing arrived");
      await publishEnriched(bus, t.enriched, "smart_breaker", tag, i, i + 1);
      await Bun.sleep(250);
    }
    expect(receiver.lines.find((l) => l.includes(`${tag}-`))).toContain("smart_breaker");
    expect(streamed).toMatch(/^id: \d+(\.\d+)*$/m);
    expect(streamed).toContain("event: enriched");
    // A request signed with another secret is refused.
    const forged = await fetch(`http://127.0.0.1:${hookPort}/`, {
      method: "POST",
      body: "[]",
      headers: {
        "webhook-id": "x",
        "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
        "webhook-signature": "v1,AAAA",
      },
    });
    expect(forged.status).toBe(401);
  } finally {
    curl?.kill();
    await receiver.stop();
  }
}, 60_000);
