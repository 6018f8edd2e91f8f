import { expect, test } from "bun:test";
import { freePort } from "./testing-process";

test("free ports handed out are never repeated, though the kernel may offer one twice", async () => {
  // 500 draws from some 28,000 ephemeral ports repeat one about 9 times on average.
  const ports: number[] = [];
  for (let i = 0; i < 500; i++) ports.push(await freePort());
  expect(new Set(ports).size).toBe(ports.length);
  // Each is still free: a server can listen there.
  const server = Bun.listen({ hostname: "127.0.0.1", port: ports.at(-1)!, socket: { data() {} } });
  expect(server.port).toBe(ports.at(-1)!);
  server.stop(true);
});
