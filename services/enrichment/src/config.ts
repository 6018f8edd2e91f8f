import { type BusConfig, readBusConfig } from "@iot/common/bus-config";
import { PAYLOAD_FORMATS, type PayloadFormat } from "@iot/common/codec";
import { envReader } from "@iot/common/env";
import type { Level } from "@iot/common/logger";

export interface EnrichmentConfig {
  port: number;
  bus: BusConfig;
  groupId: string;
  fromBeginning: boolean;
  format: PayloadFormat;
  registryRpcUrl: string;
  relistMs: number;
  deviceRegistryPath: string;
  maxMessageBytes: number;
  logLevel: Level;
}

export function loadEnrichmentConfig(source: Record<string, string | undefined> = process.env): EnrichmentConfig {
  const env = envReader(source);
  const config: EnrichmentConfig = {
    port: env.port("ENRICHMENT_PORT", 5004),
    bus: readBusConfig(env),
    groupId: env.string("ENRICHMENT_GROUP", "iot-enrichment"),
    fromBeginning: env.oneOf("ENRICHMENT_START_FROM", ["earliest", "latest"] as const, "earliest") === "earliest",
    format: env.oneOf("PAYLOAD_FORMAT", PAYLOAD_FORMATS, "json"),
    registryRpcUrl: env.string("REGISTRY_RPC_URL", "http://127.0.0.1:50051"),
    relistMs: env.int("REGISTRY_RELIST_SECONDS", 300, { min: 1 }) * 1000,
    deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
    maxMessageBytes: env.int("MAX_MESSAGE_BYTES", 256 * 1024, { min: 1024, max: 512 * 1024 }),
    logLevel: env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
  };
  if (!/^https?:\/\/[^/]+/.test(config.registryRpcUrl)) env.problem("REGISTRY_RPC_URL", `expected http://host:port, got "${config.registryRpcUrl}"`);
  env.done();
  return config;
}
