/**
 * The devices' HTTP endpoint: `POST /api/v1/devices/{device_id}/telemetry` (and `/trends`) with
 * `Authorization: Bearer <device token>`. 200 only after the broker acknowledged every record of
 * the body; 401 wrong or missing credentials, 403 a disabled device or a record naming another
 * device, 413 too large, 415 a content type that is neither JSON, NDJSON nor protobuf, 400 a body
 * that does not parse, 503 with Retry-After when the gateway is at its in-flight bound or the broker
 * did not acknowledge in time. Also `GET /api/v1/stats`, the counters the dashboard shows.
 */
import { Elysia } from "elysia";
import type { Credentials } from "./credentials";
import type { Batcher } from "./raw-batcher";
import { bodyRecords } from "./http-body";
import type { IngestMetrics, RefusalReason } from "./ingest-metrics";

export interface DeviceRoutesOptions {
  credentials: Credentials;
  batcher: Batcher;
  metrics: IngestMetrics;
  maxBodyBytes: number;
  maxPayloadBytes: number;
  ackTimeoutMs: number;
}

const RETRY_AFTER_SECONDS = "1";

export function deviceRoutes(o: DeviceRoutesOptions) {
  const refuse = (status: number, reason: RefusalReason, message: string, headers: Record<string, string> = {}) => {
    o.metrics.refused("http", reason);
    return Response.json({ error: message }, { status, headers });
  };

  async function ingest(request: Request, deviceId: string): Promise<Response> {
    const token = /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]?.trim();
    const verdict = o.credentials.verify(deviceId, token);
    if (!verdict.ok) {
      if (verdict.reason === "registry_unavailable")
        return refuse(503, verdict.reason, "device credentials are not loaded yet; retry later", {
          "retry-after": RETRY_AFTER_SECONDS,
        });
      return verdict.reason === "disabled"
        ? refuse(403, "disabled", "device is disabled")
        : refuse(401, "bad_credentials", "missing or wrong device credentials", {
            "www-authenticate": 'Bearer realm="devices"',
          });
    }
    o.metrics.connected("http");
    const body = await readLimited(request, o.maxBodyBytes);
    if (!body) return refuse(413, "oversize", `request body exceeds ${o.maxBodyBytes} bytes`);
    const parsed = bodyRecords(deviceId, request.headers.get("content-type"), body, o.maxPayloadBytes);
    if (!parsed.ok) return refuse(parsed.status, parsed.reason, parsed.message);
    const records = [];
    for (const r of parsed.results) {
      if (!r.ok) return refuse(403, r.reason, r.message);
      records.push(r.record);
    }
    const acked = o.batcher.trySubmit(records);
    if (!acked)
      return refuse(503, "overloaded", "the gateway is at capacity; retry later", {
        "retry-after": RETRY_AFTER_SECONDS,
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const inTime = await Promise.race([
      acked.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), o.ackTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!inTime)
      return refuse(503, "ack_timeout", "the broker did not acknowledge in time; retry later", {
        "retry-after": RETRY_AFTER_SECONDS,
      });
    o.metrics.acked("http", records.length);
    return Response.json({ accepted: records.length });
  }

  return new Elysia({ name: "ingest-devices" })
    .post("/api/v1/devices/:deviceId/telemetry", ({ request, params }) => ingest(request, params.deviceId), {
      parse: "none",
    })
    .post("/api/v1/devices/:deviceId/trends", ({ request, params }) => ingest(request, params.deviceId), {
      parse: "none",
    })
    .get("/api/v1/stats", () => o.metrics.snapshot());
}

/** The body, or undefined once it exceeds `max` bytes (read no further than that). */
async function readLimited(request: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > max) return undefined;
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
