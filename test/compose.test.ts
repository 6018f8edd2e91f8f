/**
 * No Docker engine runs here, so docker-compose.yml is checked against the code: every variable it
 * sets is one the service reads (and accepts), ports agree, images are pinned, health is checked.
 */
import { describe, expect, test } from "bun:test";
import { type Env, loaders, variablesRead } from "./config-loaders";

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Env;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const root = new URL("../", import.meta.url).pathname;
const compose = Bun.YAML.parse(await Bun.file(`${root}docker-compose.yml`).text()) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe("docker-compose.yml", () => {
  for (const [name, { load, port }] of Object.entries(loaders)) {
    test(`${name}: every variable it sets is read and accepted, and its port is published and probed`, () => {
      const s = services[name]!;
      expect(s.build).toBe(".");
      const env = s.environment ?? {};
      // What compose substitutes from the shell: a token, and no operators.
      const read = variablesRead(load, { ...env, REGISTRY_ADMIN_TOKEN: "t0ken", DASHBOARD_OPERATORS: "" });
      expect(Object.keys(env).filter((k) => !read.has(k))).toEqual([]);
      const p = env[port]!;
      expect(s.ports).toContain(`${p}:${p}`);
      expect(s.healthcheck!.test.join(" ")).toContain(`127.0.0.1:${p}/`);
      expect(s.command).toEqual(["bun", "run", name]);
    });
  }

  test("the seed's ports are published: dashboard 5001, registry 5002, console 8086, broker 9092", () => {
    const published = Object.values(services)
      .flatMap((s) => s.ports ?? [])
      .map((p) => p.split(":").at(-2));
    expect(published).toEqual(expect.arrayContaining(["5001", "5002", "8086", "9092"]));
  });

  test("the unauthenticated broker and its console are published on the host's loopback only", () => {
    expect(services.redpanda!.ports).toEqual(["127.0.0.1:9092:9092"]);
    expect(services.console!.ports).toEqual(["127.0.0.1:8086:8080"]);
  });

  test("the image opens the services to the container's network; outside one they listen on loopback", async () => {
    expect(await Bun.file(`${root}Dockerfile`).text()).toMatch(/^ENV BIND_HOST=0\.0\.0\.0$/m);
    for (const { load } of Object.values(loaders)) expect(load({})).toMatchObject({ bindHost: "127.0.0.1" });
  });

  test("every image is pinned, including the one the Dockerfile builds from", async () => {
    for (const s of Object.values(services))
      if (s.image && !s.build) expect(s.image).toMatch(/:v?\d+(\.\d+)+(-[a-z0-9]+)?$/);
    const from = /^FROM\s+(\S+)/m.exec(await Bun.file(`${root}Dockerfile`).text())![1]!;
    expect(from).toMatch(/^oven\/bun:\d+\.\d+\.\d+/);
    const ci = await Bun.file(`${root}.ci/run`).text();
    expect(from).toContain(/BUN_VERSION=(\S+)/.exec(ci)![1]!);
  });

  test("every long-running service has a healthcheck, and every dependency condition can be met", () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck, name).toBeDefined();
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
        if (condition === "service_healthy") expect(services[dep]!.healthcheck).toBeDefined();
      }
    }
  });
});
