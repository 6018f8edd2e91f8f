import { expect, test } from "bun:test";

// In a subprocess: a livelock spins the event loop's microtasks, so it would freeze this test runner too.
test("two publishers waiting on full partitions at once both finish, and timers keep running", async () => {
  const proc = Bun.spawn(["bun", new URL("./fixtures/two-publishers.ts", import.meta.url).pathname], {
    stdout: "pipe",
  });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  const out = await new Response(proc.stdout).text();
  clearTimeout(killer);
  expect(await proc.exited).toBe(0);
  expect(out.trim()).toBe("done 40");
}, 20_000);
