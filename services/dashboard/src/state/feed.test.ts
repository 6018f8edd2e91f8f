import { expect, test } from "bun:test";
import { telemetry } from "../../test/fixtures";
import { createFeedStore } from "./feed";

const at = (offset: number) => ({ topic: "t", partition: 0, offset: String(offset), key: "k", timestamp: 0 });

test("each tab keeps its newest records, numbered so one can be found again", () => {
  const feed = createFeedStore(2);
  for (let i = 0; i < 3; i++) feed.add({ ...at(i), tab: "raw", event: telemetry(`d${i}`, 0) });
  feed.add({ ...at(9), tab: "enriched", problem: { reason: "malformed", message: "bad" } });
  expect(feed.newest("raw").map((e) => e.offset)).toEqual(["2", "1"]);
  expect(feed.newest("trends")).toEqual([]);
  const [bad] = feed.newest("enriched");
  expect(feed.find(bad!.seq)).toMatchObject({ problem: { reason: "malformed" } });
  expect(feed.find(1)).toBeUndefined(); // pushed out of the raw tab
});
