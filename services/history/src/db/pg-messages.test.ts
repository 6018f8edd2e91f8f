import { describe, expect, test } from "bun:test";
import { toMessageRows } from "./pg-messages";

const point = (deviceId: string, ts: number, metric: string, value: number) => ({ deviceId, ts, metric, value });

describe("raw message rows", () => {
  test("one row per device and time, in key order, even when a message's points are not adjacent", () => {
    const points = [
      point("b", 2, "x", 1.5),
      point("a", 1, "x", 10),
      point("b", 2, "y", 2.25),
      point("a", 1, "y", 20),
      point("b", 2, "z", 3),
    ];
    const rows = toMessageRows(points, [7, 7, 8, 8, 9]);
    expect(rows).toEqual({
      devices: ["a", "b"],
      times: "{1,2}",
      seriesIds: "{7,8,7,8,9}",
      readings: "{10,20,1.5,2.25,3}",
      offsets: "{0,2}",
      counts: "{2,3}",
    });
  });

  test("a series repeated at one time keeps its first value", () => {
    const rows = toMessageRows([point("a", 1, "x", 1), point("a", 1, "x", 2), point("a", 2, "x", 3)], [5, 5, 5]);
    expect(rows.seriesIds).toBe("{5,5}");
    expect(rows.readings).toBe("{1,3}");
    expect(rows.counts).toBe("{1,1}");
  });
});
