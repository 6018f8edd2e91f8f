import { expect, test } from "bun:test";
import { freePort } from "../src/testing-process";

const entry = new URL("./fixtures/failed-start.ts", import.meta.url).pathname;

// A half-connected client keeps a process alive: a service whose start failed must still exit.
for (const client of ["platformatic", "kafkajs"]) {
  test(`${client}: a start with no broker fails within the timeouts and leaves nothing running`, async () => {
    const port = await freePort(); // nothing listens there
    const proc = Bun.spawn(["bun", entry], {
      env: { ...process.env, KAFKA_CLIENT: client, KAFKA_BROKERS: `127.0.0.1:${port}` },
      stdout: "pipe",
      stderr: "pipe",
    });
    const exited = await Promise.race([proc.exited, Bun.sleep(45_000).then(() => "still running")]);
    if (exited === "still running") proc.kill("SIGKILL");
    expect(exited).toBe(0);
    const out = JSON.parse((await new Response(proc.stdout).text()).trim().split("\n").at(-1)!);
    expect(out.failed).toBeString();
  }, 60_000);
}
