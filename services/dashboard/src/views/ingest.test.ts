import { describe, expect, test } from "bun:test";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { createIngestMetrics } from "../../../ingest/src/ingest-metrics";
import { createServiceStore } from "../state/services";
import { ingestRegion } from "./ingest";

describe("the ingest panel", () => {
  test("shows connected devices, connections and messages per transport, and refusals by reason, from ingest's own /metrics", async () => {
    const registry = createMetrics();
    const m = createIngestMetrics(registry, { connected: () => 7, inflightBytes: () => 0 });
    m.connected("mqtt");
    m.connected("mqtt");
    m.acked("mqtt", 1200);
    m.acked("http", 30);
    m.refused("mqtt", "bad_credentials");
    m.refused("mqtt", "bad_credentials");
    m.refused("http", "unsupported_media_type");
    const store = createServiceStore();
    store.set({
      name: "ingest",
      url: "http://x",
      state: "ready",
      at: 0,
      metrics: parseMetrics(await registry.render()),
    });
    const body = ingestRegion(store).body.value;
    expect(body).toContain("<dt>Devices connected (MQTT)</dt><dd>7</dd>");
    expect(body).toContain('<tr><th scope="row">mqtt</th><td>2</td><td>1,200</td><td>2</td></tr>');
    expect(body).toContain('<tr><th scope="row">http</th><td>0</td><td>30</td><td>1</td></tr>');
    expect(body).toContain("<tr><td>bad credentials</td><td>mqtt</td><td>2</td></tr>");
    expect(body).toContain("<tr><td>unsupported media type</td><td>http</td><td>1</td></tr>");
    expect(body).not.toContain("oversize"); // reasons at 0 are not listed
  });

  test("says so when ingest has not answered", () => {
    expect(ingestRegion(createServiceStore()).body.value).toContain("ingest not reachable");
  });
});
