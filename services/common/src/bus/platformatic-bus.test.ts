import { expect, test } from "bun:test";
import { compatibilityPartitioner } from "@platformatic/kafka";
import { keyPartitioner } from "./platformatic-bus";

const murmur = (key: string) => compatibilityPartitioner({} as never, Buffer.from(key));

test("a key's partition is kafkajs's and Java's murmur2, whether remembered or not", () => {
  const partition = keyPartitioner(2);
  const keys = ["meter-1", "meter-2", "meter-3", "meter-1", "breaker-17", "meter-3"];
  const got = keys.map((k) => partition({ key: k }, Buffer.from(k)));
  expect(got).toEqual(keys.map(murmur));
  expect(new Set(got).size).toBeGreaterThan(1);
});

test("keyless records rotate", () => {
  const partition = keyPartitioner();
  expect([0, 1, 2].map(() => partition({}, undefined))).toEqual([0, 1, 2]);
});
