import { expect, test } from "bun:test";
import { ConfigError } from "@iot/common/env";
import { loadConfig } from "./config";

test("defaults: :5006, the shared topics plus iot.delivery.dlq, batches of 100, a 5-minute give-up window, no allow-list", () => {
  const c = loadConfig({});
  expect(c).toMatchObject({
    port: 5006,
    groupPrefix: "iot-delivery",
    registryRpcUrl: "http://127.0.0.1:50051",
    registryUrl: "http://127.0.0.1:5002",
    batchSize: 100,
    lingerMs: 250,
    timeoutMs: 10_000,
    giveUpMs: 300_000,
    maxBackoffMs: 30_000,
    allowedHosts: [],
    streamQueue: 1000,
    decodedCache: 1000,
    fetchKib: 128,
  });
  expect(c.adminToken).toBeUndefined();
  expect(c.bindHost).toBe("127.0.0.1");
  expect(c.bus.topics.deliveryDlq).toBe("iot.delivery.dlq");
});

test("the allow-list is a comma-separated list of hosts; the give-up window is in seconds", () => {
  const c = loadConfig({
    DELIVERY_ALLOWED_HOSTS: "localhost,127.0.0.1",
    DELIVERY_GIVE_UP_SECONDS: "60",
    TOPIC_DELIVERY_DLQ: "parked",
  });
  expect(c.allowedHosts).toEqual(["localhost", "127.0.0.1"]);
  expect(c.giveUpMs).toBe(60_000);
  expect(c.bus.topics.deliveryDlq).toBe("parked");
});

test("bad values fail together, each naming its variable, never echoing the admin token", () => {
  try {
    loadConfig({
      DELIVERY_PORT: "web",
      DELIVERY_BATCH_SIZE: "0",
      REGISTRY_URL: "registry",
      DELIVERY_GIVE_UP_SECONDS: "-1",
      REGISTRY_ADMIN_TOKEN: "s3cret",
    });
    throw new Error("expected a ConfigError");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const { problems } = e as ConfigError;
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "DELIVERY_BATCH_SIZE",
      "DELIVERY_GIVE_UP_SECONDS",
      "DELIVERY_PORT",
      "REGISTRY_URL",
    ]);
    expect(problems.join(" ")).not.toContain("s3cret");
  }
});
