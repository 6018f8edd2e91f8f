/**
 * The README's App Registry commands, run verbatim against a real registry started with no admin
 * token (so loopback writes are accepted, as on a local start). The one substitution: the default
 * ports become the test registry's ephemeral ones, so a registry you run yourself never collides.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestRegistry } from "./support/registry";
import { startTestRegistry } from "./support/registry";

const README = `${import.meta.dir}/../../../README.md`;
const REPO_ROOT = `${import.meta.dir}/../../..`;

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry("sqlite");
});
afterAll(() => reg?.close());

async function run(command: string) {
  const local = command
    .replaceAll("localhost:5002", `localhost:${new URL(reg.httpUrl).port}`)
    .replaceAll("localhost:50051", `localhost:${new URL(reg.rpcUrl).port}`);
  const proc = Bun.spawn(["bash", "-c", local], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  expect({ command, code, stderr: code === 0 ? "" : stderr }).toEqual({ command, code: 0, stderr: "" });
  return stdout;
}

test("every bash block of the README's App Registry API section runs and does what the README says", async () => {
  const readme = await Bun.file(README).text();
  const section = readme.slice(
    readme.indexOf("## App Registry API"),
    readme.indexOf("\n## ", readme.indexOf("## App Registry API") + 1),
  );
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  // One expectation per block, in order: a new block must come with its own check.
  expect(blocks).toHaveLength(4);
  const [register, byType, listServices, rpcByType] = blocks as [string, string, string, string];

  const created = JSON.parse(await run(register));
  expect(created.message).toBe("Application registered successfully");
  expect(created.application).toMatchObject({
    name: "Your App Name",
    devicetypes: ["smart_breaker", "smart_meter"],
    status: "active",
  });
  expect(created.application.api_key).toBeString();

  const found = JSON.parse(await run(byType));
  expect(found.applications.map((a: { name: string }) => a.name)).toEqual(["Your App Name"]);
  expect(JSON.stringify(found)).not.toContain("api_key");

  expect((await run(listServices)).split("\n")).toContain("iot.registry.v1.ApplicationRegistryService");

  const viaRpc = JSON.parse(await run(rpcByType));
  expect(viaRpc.applications.map((a: { name: string }) => a.name)).toEqual(["Your App Name"]);
});

test("every bash block of the README's Devices section runs and does what the README says", async () => {
  const readme = await Bun.file(README).text();
  const section = readme.slice(readme.indexOf("## Devices"), readme.indexOf("\n## ", readme.indexOf("## Devices") + 1));
  const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(3);
  const [create, bulk, list] = blocks as [string, string, string];

  const created = JSON.parse(await run(create));
  expect(created.device).toMatchObject({
    device_id: "panel-7",
    device_type: "smart_breaker",
    labels: { site: "north" },
    status: "enabled",
  });
  expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const imported = JSON.parse(await run(bulk));
  expect(imported).toMatchObject({ created: 2, unchanged: 0, error: 0 });
  expect(JSON.parse(await run(bulk))).toMatchObject({ created: 0, unchanged: 2, error: 0 });

  const listed = JSON.parse(await run(list));
  expect(listed.devices.map((d: { device_id: string }) => d.device_id)).toEqual(["panel-7", "meter-17", "sensor-3"]);
  expect(JSON.stringify(listed)).not.toContain("token");
});
