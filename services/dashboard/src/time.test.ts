import { expect, test } from "bun:test";
import { clockUtc, eventTimeMs, formatUtc } from "./time";

test("reads event times as UTC when they carry no offset, and shows them with their zone", () => {
  expect(eventTimeMs("2025-08-19T17:40:37.594176Z")).toBe(Date.UTC(2025, 7, 19, 17, 40, 37, 594));
  expect(eventTimeMs("2025-08-19T17:40:37.594176")).toBe(Date.UTC(2025, 7, 19, 17, 40, 37, 594));
  expect(eventTimeMs("2025-08-19T19:40:37+02:00")).toBe(Date.UTC(2025, 7, 19, 17, 40, 37));
  expect(formatUtc(Date.UTC(2025, 7, 19, 17, 40, 37))).toBe("2025-08-19 17:40:37 UTC");
  expect(clockUtc(Date.UTC(2025, 7, 19, 17, 40, 37))).toBe("17:40:37 UTC");
  expect(formatUtc(eventTimeMs("yesterday"))).toBeUndefined();
});
