/**
 * The Kafka Streams peer (bench/kafka-streams/, a Maven project): its jar built when missing or
 * older than its sources, and run as a JVM process the way services/enrichment runs (one input
 * topic, one output, one dead-letter topic). The bench needs Java 17 and Maven; tests do not.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnProcess } from "@iot/common/testing-process";
import { ROOT } from "./results";
import type { PipelineTopics } from "./services";

const PROJECT = join(ROOT, "bench/kafka-streams");
export const PEER_JAR = join(PROJECT, "target/kafka-streams-enrichment.jar");
/** A capped heap (G1 sizes it within the cap), so the JVM does not take its default quarter of the machine's RAM. */
export const JVM_FLAGS = ["-Xmx1g"];

/** `mvn package`, offline first (the local Maven repository usually has everything), online if that fails. */
export async function ensurePeerJar(): Promise<void> {
  const sources = [
    "pom.xml",
    ...readdirSync(join(PROJECT, "src"), { recursive: true, encoding: "utf8" }).map((f) => join("src", f)),
  ];
  const newest = Math.max(...sources.map((f) => statSync(join(PROJECT, f)).mtimeMs));
  if ((statSync(PEER_JAR, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= newest) return;
  let output = "";
  for (const offline of [["-o"], []]) {
    console.error(`building ${PEER_JAR} (mvn -q -B ${offline.join(" ")} package)…`);
    const mvn = Bun.spawn(["mvn", "-q", "-B", ...offline, "package"], { cwd: PROJECT, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([
      new Response(mvn.stdout).text(),
      new Response(mvn.stderr).text(),
      mvn.exited,
    ]);
    if (code === 0) return;
    output = `${out}${err}`;
  }
  throw new Error(`building the Kafka Streams peer failed:\n${output.slice(-4000)}`);
}

export interface PeerOptions {
  brokers: string;
  /** `group` becomes the application.id (its consumer group). */
  topics: PipelineTopics;
  registrations: string;
  lingerMs: number;
}

/** The peer as a running JVM, watched like startConsumers' replicas. */
export function startPeer(o: PeerOptions) {
  const stateDir = mkdtempSync(join(tmpdir(), "bench-kstreams-"));
  const proc = spawnProcess(
    // Kafka's INFO logging, per partition and per rebalance, is not part of what is measured.
    ["java", ...JVM_FLAGS, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-jar", PEER_JAR],
    {
      KS_BOOTSTRAP: o.brokers,
      KS_APPLICATION_ID: o.topics.group,
      KS_STATE_DIR: stateDir,
      KS_INPUT: o.topics.raw,
      KS_OUTPUT: o.topics.enriched,
      KS_DLQ: o.topics.dlq,
      KS_REGISTRATIONS: o.registrations,
      KS_DEVICE_REGISTRY: join(ROOT, "config/device-registry.json"),
      KS_LINGER_MS: String(o.lingerMs),
    },
    "kafka-streams peer",
  );
  return {
    pids: [proc.proc.pid],
    /** Its global table restored and its tasks assigned (EnrichmentApp prints this on the RUNNING state). */
    ready: () => proc.waitForLog(/^kafka-streams running$/, 120_000),
    check() {
      if (proc.proc.exitCode !== null)
        throw new Error(
          `the Kafka Streams peer exited with ${proc.proc.exitCode}:\n${proc.lines.slice(-20).join("\n")}`,
        );
    },
    lastLines: (n = 10) => proc.lines.slice(-n).join("\n"),
    async stop() {
      // SIGTERM runs the shutdown hook: KafkaStreams.close() commits what was processed.
      const code = await proc.stop();
      rmSync(stateDir, { recursive: true, force: true });
      if (code !== 0 && code !== 143) console.error(`kafka-streams peer: exit code ${code}`);
    },
  };
}
