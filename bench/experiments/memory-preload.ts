/**
 * Where a process's memory is: preload it into the services and read the lines it appends.
 *   BUN_OPTIONS="--preload ./bench/experiments/memory-preload.ts" MEMORY_LOG=/tmp/mem.jsonl bun bench/memory-5k.ts
 * Every 2 s (or MEMORY_LOG_MS), one JSON line per process: RSS (and its anonymous and file-backed parts), the JavaScript heap (JSC's size and capacity, objects),
 * memory the heap accounts for outside itself (extraMemorySize: Buffers, typed arrays) and
 * process.memoryUsage's external / arrayBuffers. RSS minus those is the allocator's and the runtime's own.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { heapStats } from "bun:jsc";

const file = process.env.MEMORY_LOG;
if (file) {
  const name = /services\/([\w-]+)\//.exec(Bun.argv[1] ?? "")?.[1] ?? Bun.argv[1]?.split("/").at(-1);
  const mb = (n: number) => Math.round(n / 2 ** 20);
  const everyMs = Number(process.env.MEMORY_LOG_MS ?? 2_000);
  setInterval(() => {
    const h = heapStats();
    const m = process.memoryUsage();
    const status = readFileSync("/proc/self/status", "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    const line = {
      t: Date.now(),
      name,
      pid: process.pid,
      rss: mb(m.rss),
      anon: Math.round(kb("RssAnon") / 1024),
      file: Math.round(kb("RssFile") / 1024),
      heap: mb(h.heapSize),
      capacity: mb(h.heapCapacity),
      extra: mb(h.extraMemorySize),
      objects: h.objectCount,
      external: mb(m.external),
      array_buffers: mb(m.arrayBuffers),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, everyMs).unref();
}
