import { expect, test } from "bun:test";
import { createLogger } from "./logger";

test("logs are JSON lines with the service, and secrets never appear", () => {
  const lines: string[] = [];
  const log = createLogger("svc", { write: (l) => lines.push(l) }).child({ component: "x" });
  log.info("started", { api_key: "k-123", authorization: "Bearer abc", REGISTRY_ADMIN_TOKEN: "t", port: 1 });
  log.debug("hidden at info");
  expect(lines).toHaveLength(1);
  const entry = JSON.parse(lines[0]!);
  expect(entry).toMatchObject({ level: "info", msg: "started", service: "svc", component: "x", port: 1 });
  expect(lines[0]).not.toMatch(/k-123|abc|"t"/);
  expect(entry.api_key).toBe("[redacted]");
});
