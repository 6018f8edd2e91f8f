/**
 * The registry's reads come from memory: they must never be older than a write this replica
 * acknowledged, and changes from elsewhere must reach them through the change feed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { NewApplication } from "../src/application";
import { createChangeFeed } from "../src/change-feed";
import { openRepository } from "../src/db/open";
import type { ApplicationRepository } from "../src/db/repository";
import { createRegistry } from "../src/registry";
import { type Dialect, openTestDatabase, type TestDatabase } from "./support/databases";

const fields = (name: string, deviceTypes: string[]): NewApplication => ({
  name,
  description: null,
  version: "1.0.0",
  developer: "Test Co",
  contactEmail: "ops@example.com",
  category: "Monitoring",
  platform: "web",
  deviceTypes,
});
const noErrors = (e: unknown) => {
  throw e;
};
type Replica = { feed: ReturnType<typeof createChangeFeed>; registry: ReturnType<typeof createRegistry> };
const names = (apps: { name: string }[]) => apps.map((a) => a.name);

describe.each(["sqlite", "postgres"] as Dialect[])("read model on %s", (dialect) => {
  const opened: Array<{ db: TestDatabase; repos: ApplicationRepository[] }> = [];
  afterAll(async () => {
    for (const { db, repos } of opened) {
      for (const r of repos) await r.close();
      await db.drop();
    }
  });
  /** `replicas` registries on one database, each with its own feed, as separate processes would be. */
  const replicas = async (
    n: number,
    wrap: (r: ApplicationRepository) => ApplicationRepository = (r) => r,
  ): Promise<Replica[]> => {
    const db = await openTestDatabase(dialect);
    const repos = await Promise.all(Array.from({ length: n }, () => openRepository(db.config)));
    opened.push({ db, repos });
    return repos.map((repo) => {
      const feed = createChangeFeed(noErrors);
      return { feed, registry: createRegistry({ repo: wrap(repo), feed }) };
    });
  };

  test("every read after an acknowledged write shows it: by device type, the list, one application", async () => {
    const [{ registry }] = (await replicas(1)) as [Replica];
    expect(await registry.activeByDeviceType("smart_meter")).toEqual([]); // loaded, and now kept in memory
    const { application: a } = await registry.register(fields("Meter Board", ["smart_meter"]));
    expect(names(await registry.activeByDeviceType("smart_meter"))).toEqual(["Meter Board"]);
    const { application: b } = await registry.register(fields("Grid View", ["smart_meter", "smart_breaker"]));
    expect(names(await registry.activeByDeviceType("smart_meter"))).toEqual(["Meter Board", "Grid View"]);
    expect(names(await registry.activeByDeviceTypes(["smart_breaker", "smart_meter"]))).toEqual([
      "Meter Board",
      "Grid View",
    ]);

    await registry.update(a.id, { status: "inactive" });
    expect(names(await registry.activeByDeviceType("smart_meter"))).toEqual(["Grid View"]);
    expect((await registry.list({ status: "inactive", limit: 10, offset: 0 })).total).toBe(1);
    await registry.update(b.id, { deviceTypes: ["smart_breaker"], name: "Grid View 2" });
    expect(await registry.activeByDeviceType("smart_meter")).toEqual([]);
    expect(names(await registry.activeByDeviceType("smart_breaker"))).toEqual(["Grid View 2"]);
    expect((await registry.get(b.id)).name).toBe("Grid View 2");

    await registry.remove(b.id);
    expect(await registry.activeByDeviceType("smart_breaker")).toEqual([]);
    expect(await registry.list({ limit: 10, offset: 0 })).toEqual({
      applications: [await registry.get(a.id)],
      total: 1,
    });
    await expect(registry.get(b.id)).rejects.toThrow();
  });

  test("the list pages and filters as the database did, in registration order", async () => {
    const [{ registry }] = (await replicas(1)) as [Replica];
    for (let i = 0; i < 7; i++)
      await registry.register(fields(`App ${i}`, i % 2 ? ["smart_meter"] : ["environmental_sensor"]));
    const page = await registry.list({ deviceType: "environmental_sensor", limit: 2, offset: 1 });
    expect(page.total).toBe(4);
    expect(names(page.applications)).toEqual(["App 2", "App 4"]);
    expect(
      names((await registry.list({ platform: "web", category: "Monitoring", limit: 3, offset: 5 })).applications),
    ).toEqual(["App 5", "App 6"]);
  });

  test("a write acknowledged while the first load is running is not lost", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowFind = (repo: ApplicationRepository): ApplicationRepository => ({
      ...repo,
      find: async (f, p) => {
        const rows = await repo.find(f, p);
        await gate; // the load read the table before the write below committed
        return rows;
      },
    });
    const [{ registry }] = (await replicas(1, slowFind)) as [Replica];
    const firstRead = registry.activeByDeviceType("smart_meter");
    await registry.register(fields("During Load", ["smart_meter"]));
    release();
    await firstRead;
    expect(names(await registry.activeByDeviceType("smart_meter"))).toEqual(["During Load"]);
  });

  test("another replica's change reaches this replica's reads through its feed, or by invalidation", async () => {
    const [writer, reader] = (await replicas(2)) as [Replica, Replica];
    expect(await reader.registry.activeByDeviceType("smart_breaker")).toEqual([]);
    // What the cross-replica bridge (LISTEN/NOTIFY) does: the writer's change published into the reader's feed.
    const unbridge = writer.feed.subscribe((change) => reader.feed.publish(change));
    const { application } = await writer.registry.register(fields("Elsewhere", ["smart_breaker"]));
    expect(names(await reader.registry.activeByDeviceType("smart_breaker"))).toEqual(["Elsewhere"]);
    // A notification that says only "something changed": the reader reloads from the database.
    unbridge();
    await writer.registry.update(application.id, { status: "inactive" });
    expect(names(await reader.registry.activeByDeviceType("smart_breaker"))).toEqual(["Elsewhere"]); // from memory, until told
    reader.registry.invalidateReads();
    expect(await reader.registry.activeByDeviceType("smart_breaker")).toEqual([]);
  });
});
