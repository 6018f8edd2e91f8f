import { expect, test } from "bun:test";
import { logLevel } from "kafkajs";
import { createLogger } from "../logger";
import { createOutageLog } from "./kafka-log";
import { kafkaLogCreator } from "./kafkajs-log";

const capture = () => {
  const lines: Array<{ level: string; msg: string; [k: string]: unknown }> = [];
  return { lines, log: createLogger("t", { level: "debug", write: (l) => lines.push(JSON.parse(l)) }) };
};

test("kafkajs's own per-retry errors are debug lines, not errors", () => {
  const { lines, log } = capture();
  const write = kafkaLogCreator(log)();
  for (let i = 0; i < 20; i++)
    write({
      namespace: "Connection",
      level: logLevel.ERROR,
      label: "ERROR",
      log: { timestamp: "", message: "Connection error: connect ECONNREFUSED", retryCount: i },
    });
  expect(lines.map((l) => l.level)).toEqual(Array(20).fill("debug"));
  expect(lines[3]).toMatchObject({
    msg: "kafkajs: Connection error: connect ECONNREFUSED",
    kafkajs_level: "ERROR",
    retryCount: 3,
  });
});

test("an outage is one warning while it lasts and one line when the consumer is back, with the retry count", () => {
  const { lines, log } = capture();
  let now = 0;
  const outage = createOutageLog(log, { groupId: "g" }, () => now);
  for (let i = 0; i < 12; i++) {
    outage.failed(new Error("broker gone"), 1_000);
    now += 5_000;
  }
  outage.joined();
  outage.joined();
  const loud = lines.filter((l) => l.level !== "debug");
  expect(loud).toEqual([
    expect.objectContaining({
      level: "warn",
      msg: "kafka consumer failed; retrying",
      groupId: "g",
      error: "broker gone",
    }),
    expect.objectContaining({
      level: "info",
      msg: "kafka consumer back",
      groupId: "g",
      retries: 12,
      outage_seconds: 60,
    }),
  ]);
  outage.failed(new Error("again"));
  expect(lines.at(-1)).toMatchObject({ level: "warn", msg: "kafka consumer failed; retrying" });
});
