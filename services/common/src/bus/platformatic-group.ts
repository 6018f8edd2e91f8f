/**
 * Where a group of the @platformatic/kafka adapter starts, and its end when it is ephemeral. The
 * client's stream reads either from the group's committed offsets or from offsets it is given, not
 * both; so `startAt` is committed for the group before its first member joins, and the stream then
 * starts there as from any committed offset (kafkajs seeks, which commits the offset too).
 */
import { type Admin, findErrorBy } from "@platformatic/kafka";
import type { SubscribeOptions } from "../bus";
import type { Logger } from "../logger";
import { retrying } from "./retrying";

/** Commits `s.startAt` for the partitions its group never committed; a group that already has progress keeps it. */
export async function commitStartOffsets(admin: Admin, s: SubscribeOptions, log: Logger): Promise<void> {
  const topic = s.topics[0]!;
  const startAt = Object.entries(s.startAt ?? {}).map(([p, offset]) => ({ partition: Number(p), offset }));
  if (startAt.length === 0) return;
  const [committed] = await retrying(() =>
    admin.listConsumerGroupOffsets({
      groups: [{ groupId: s.groupId, topics: [{ name: topic, partitionIndexes: startAt.map((x) => x.partition) }] }],
    }),
  );
  const done = new Set(
    committed?.topics
      .find((t) => t.name === topic)
      ?.partitions.filter((p) => p.committedOffset >= 0n)
      .map((p) => p.partitionIndex),
  );
  const fresh = startAt.filter((x) => !done.has(x.partition));
  if (fresh.length === 0) return;
  const partitionOffsets = fresh.map((x) => ({ partition: x.partition, offset: BigInt(x.offset) }));
  await admin
    .alterConsumerGroupOffsets({ groupId: s.groupId, topics: [{ name: topic, partitionOffsets }] })
    .catch((e) => {
      // The broker takes such a commit only while the group has no member. One that has members was
      // started by them (another replica that committed its own start just before): they read on from it.
      if (!findErrorBy(e, "apiId", "UNKNOWN_MEMBER_ID")) throw e;
      log.debug("group already has members; its start stays theirs", { groupId: s.groupId });
    });
}

/** Deletes a group whose only reader has stopped, so throwaway groups do not pile up in the broker. */
export async function deleteGroup(admin: Admin, groupId: string, log: Logger): Promise<void> {
  await admin
    .deleteGroups({ groups: [groupId] })
    .catch((e) => log.debug("could not delete an ephemeral group", { groupId, error: String(e) }));
}
