/**
 * The in-process bus for `bun run start`: Kafka's contract in memory. Each topic has partitions;
 * each partition keeps records from the oldest offset any known group still needs. A partition
 * holds at most `capacity` records: `publish` waits for the slowest group to make room
 * (back-pressure). With no group ever subscribed to a topic, the oldest records are dropped
 * instead, and counted. It keeps nothing across restarts. A batch whose handler throws is offered
 * again after a pause, for as long as it fails; the first failure of a streak is logged, and so is
 * the recovery, with how many attempts failed.
 */
import type {
  Batch,
  EventBus,
  IncomingRecord,
  OutgoingRecord,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from "../bus";
import { fnv1a } from "../hash";
import { errorMessage, type Logger } from "../logger";

export interface MemoryBusOptions {
  topics: TopicSpec[];
  log: Logger;
  defaultPartitions?: number;
  capacity?: number;
  maxBatch?: number;
  /** Delay before a batch whose handler threw is offered again. */
  retryDelayMs?: number;
  onDrop?: (topic: string, count: number) => void;
}

interface Partition {
  base: number; // offset of records[0]
  records: IncomingRecord[];
}

interface Group {
  committed: Map<string, number>; // "topic/partition" -> next offset to read
  members: Member[];
  inFlight: Set<string>;
  topics: Set<string>;
  /** "topic/partition" -> failed attempts in a row of the batch at the committed offset. */
  failing: Map<string, number>;
}

interface Member {
  id: number;
  topics: string[];
  assigned: Array<[string, number]>;
  running: boolean;
}

const pkey = (topic: string, p: number) => `${topic}/${p}`;

export function createMemoryBus(opts: MemoryBusOptions): EventBus {
  const capacity = opts.capacity ?? 10_000;
  const maxBatch = opts.maxBatch ?? 500;
  const retryDelayMs = opts.retryDelayMs ?? 200;
  const topics = new Map<string, Partition[]>();
  const groups = new Map<string, Group>();
  let nextMember = 0;
  let rr = 0;
  let stopped = false;

  // Consumers wait for records or a new assignment; publishers wait for room. Two separate signals:
  // with one, two publishers waiting on full partitions woke each other in a microtask loop for ever.
  const consumers = createSignal();
  const room = createSignal();

  const ensure = (name: string, partitions = opts.defaultPartitions ?? 6) => {
    let t = topics.get(name);
    if (!t) topics.set(name, (t = Array.from({ length: partitions }, () => ({ base: 0, records: [] }))));
    return t;
  };
  opts.topics.forEach((t) => ensure(t.name, t.partitions));

  const end = (p: Partition) => p.base + p.records.length;

  /** The oldest offset some group subscribed to the topic still needs; drops what none needs. */
  const trim = (topic: string, index: number, p: Partition) => {
    const subs = [...groups.values()].filter((g) => g.topics.has(topic));
    const low =
      subs.length === 0
        ? end(p) - capacity + 1
        : Math.min(...subs.map((g) => g.committed.get(pkey(topic, index)) ?? p.base));
    const drop = Math.min(Math.max(0, low - p.base), p.records.length);
    if (drop === 0) return;
    p.records.splice(0, drop);
    p.base += drop;
    if (subs.length === 0) opts.onDrop?.(topic, drop);
  };

  const rebalance = (g: Group) => {
    const parts = [...g.topics].flatMap((t) => ensure(t).map((_, i) => [t, i] as [string, number]));
    g.members.forEach((m) => (m.assigned = []));
    parts.forEach((tp, i) => {
      const eligible = g.members.filter((m) => m.topics.includes(tp[0]));
      eligible[i % Math.max(1, eligible.length)]?.assigned.push(tp);
    });
    consumers.wake();
    room.wake(); // a group that left may have held the oldest offset
  };

  const failed = (groupId: string, g: Group, k: string, e: unknown) => {
    const n = (g.failing.get(k) ?? 0) + 1;
    g.failing.set(k, n);
    if (n === 1)
      opts.log.warn("in-process bus: batch handler failed; offering the batch again until it succeeds", {
        groupId,
        partition: k,
        error: errorMessage(e),
        retry_ms: retryDelayMs,
      });
  };
  const succeeded = (groupId: string, g: Group, k: string) => {
    const n = g.failing.get(k);
    if (n === undefined) return;
    g.failing.delete(k);
    opts.log.info("in-process bus: batch handler succeeded again", { groupId, partition: k, failed_attempts: n });
  };

  async function runMember(groupId: string, g: Group, m: Member, handler: (b: Batch) => Promise<void>) {
    while (m.running && !stopped) {
      let worked = false;
      for (const [topic, index] of m.assigned) {
        const k = pkey(topic, index);
        const p = ensure(topic)[index]!;
        const from = g.committed.get(k) ?? p.base;
        if (g.inFlight.has(k) || from >= end(p)) continue;
        g.inFlight.add(k);
        const records = p.records.slice(from - p.base, from - p.base + maxBatch);
        try {
          await handler({ topic, partition: index, records });
          succeeded(groupId, g, k);
          if (m.assigned.some(([t, i]) => t === topic && i === index)) g.committed.set(k, from + records.length);
          trim(topic, index, p);
          worked = true;
        } catch (e) {
          // Not committed: the same records are offered again after a pause (at-least-once).
          failed(groupId, g, k, e);
          await Bun.sleep(retryDelayMs);
          worked = true;
        } finally {
          g.inFlight.delete(k);
        }
        room.wake();
      }
      if (!worked) await consumers.next();
    }
  }

  return {
    kind: "memory",
    async start() {},
    async publish(topic, records: OutgoingRecord[]) {
      const parts = ensure(topic);
      for (const r of records) {
        const index = partitionFor(r.key, parts.length, rr++);
        const p = parts[index]!;
        trim(topic, index, p);
        while (p.records.length >= capacity && !stopped) {
          consumers.wake(); // let subscribers see what is already here
          await room.next();
          trim(topic, index, p);
        }
        if (stopped) throw new Error("bus stopped");
        p.records.push({
          topic,
          partition: index,
          offset: String(end(p)),
          key: r.key,
          value: r.value,
          headers: { ...r.headers },
          timestamp: Date.now(),
        });
      }
      consumers.wake();
    },
    async subscribe(s: SubscribeOptions): Promise<Subscription> {
      let g = groups.get(s.groupId);
      if (!g)
        groups.set(
          s.groupId,
          (g = { committed: new Map(), members: [], inFlight: new Set(), topics: new Set(), failing: new Map() }),
        );
      const group = g;
      for (const t of s.topics) {
        if (group.topics.has(t)) continue;
        group.topics.add(t);
        ensure(t).forEach((p, i) => {
          const at = s.startAt?.[i];
          group.committed.set(
            pkey(t, i),
            at === undefined ? (s.fromBeginning ? p.base : end(p)) : Math.min(Math.max(at, p.base), end(p)),
          );
        });
      }
      const m: Member = { id: nextMember++, topics: s.topics, assigned: [], running: true };
      group.members.push(m);
      rebalance(group);
      const loop = runMember(s.groupId, group, m, s.handler);
      return {
        async stop() {
          m.running = false;
          group.members = group.members.filter((x) => x !== m);
          rebalance(group);
          await loop;
          // Its committed offsets would otherwise keep every record it has not read.
          if (s.ephemeral && group.members.length === 0) {
            groups.delete(s.groupId);
            room.wake();
          }
        },
      };
    },
    async ready() {
      return !stopped;
    },
    async stats(topicNames, groupIds) {
      return {
        topics: topicNames.map((t) => {
          const parts = ensure(t);
          return {
            topic: t,
            partitions: parts.length,
            records: parts.reduce((n, p) => n + end(p), 0),
            ends: parts.map(end),
          };
        }),
        lag: groupIds.flatMap((id) => {
          const g = groups.get(id);
          return g
            ? topicNames
                .filter((t) => g.topics.has(t))
                .map((t) => ({
                  groupId: id,
                  topic: t,
                  lag: ensure(t).reduce((n, p, i) => n + end(p) - (g.committed.get(pkey(t, i)) ?? p.base), 0),
                }))
            : [];
        }),
      };
    },
    async stop() {
      stopped = true;
      groups.forEach((g) => g.members.forEach((m) => (m.running = false)));
      consumers.wake();
      room.wake();
    },
  };
}

/** Wakes everyone waiting on `next()` at the time of `wake()`; later waiters wait for the next wake. */
function createSignal() {
  let waiters: Array<() => void> = [];
  return {
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    wake() {
      const woken = waiters;
      waiters = [];
      woken.forEach((f) => f());
    },
  };
}

/** Kafka's own partitioner is murmur2; any stable hash keeps one key on one partition. */
function partitionFor(key: string | null, partitions: number, roundRobin: number): number {
  if (key === null) return roundRobin % partitions;
  return fnv1a(key) % partitions;
}
