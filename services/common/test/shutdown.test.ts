import { expect, test } from "bun:test";
import { spawnService } from "../src/testing-process";

const entry = new URL("./fixtures/slow-stop.ts", import.meta.url).pathname;

test("one Ctrl-C delivered twice (terminal and bun run) stops cleanly with exit 0", async () => {
  const p = spawnService(entry, { STOP_MS: "700" });
  await p.waitForLog(/"ready"/);
  p.proc.kill("SIGINT");
  await Bun.sleep(20);
  p.proc.kill("SIGINT");
  expect(await p.proc.exited).toBe(0);
  expect(p.lines.some((l) => l.includes("second signal"))).toBe(false);
  expect(p.lines.some((l) => l.includes('"stopped"'))).toBe(true);
});

test("a second Ctrl-C well after the first forces the exit of a hung stop", async () => {
  const p = spawnService(entry, { STOP_MS: "60000" });
  await p.waitForLog(/"ready"/);
  p.proc.kill("SIGINT");
  await p.waitForLog(/"stopping"/);
  await Bun.sleep(1_300);
  p.proc.kill("SIGINT");
  expect(await p.proc.exited).toBe(1);
  expect(p.lines.some((l) => l.includes("second signal while stopping"))).toBe(true);
});
