package iot.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.Stores;

/**
 * The enrichment a Java team would write with Kafka Streams (issue #18's peer): raw JSON records in,
 * the registrations of each record's device type joined from a GlobalKTable (a compacted topic: key
 * device type, value the JSON list of active applications), enriched JSON out, bad input to the dead
 * letter topic with the reason in its headers, as services/enrichment does. At-least-once, one stream
 * thread. Configured by environment (bench/kafka-streams.ts sets it):
 *   KS_BOOTSTRAP, KS_APPLICATION_ID, KS_STATE_DIR, KS_INPUT, KS_OUTPUT, KS_DLQ, KS_REGISTRATIONS,
 *   KS_DEVICE_REGISTRY (config/device-registry.json), KS_LINGER_MS, KS_MAX_MESSAGE_BYTES.
 */
public final class EnrichmentApp {
  private static final String JSON = "application/json";

  /** A raw record after decoding: the enriched parts, or the reason it is a dead letter. */
  record Decoded(Enricher.Enriched enriched, byte[] raw) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    Enricher enricher = new Enricher(new ObjectMapper().readTree(Files.readAllBytes(new File(need(env, "KS_DEVICE_REGISTRY")).toPath())));
    int maxBytes = Integer.parseInt(env.getOrDefault("KS_MAX_MESSAGE_BYTES", String.valueOf(256 * 1024)));

    StreamsBuilder builder = new StreamsBuilder();
    // Small and read on every record: kept in memory rather than in RocksDB.
    GlobalKTable<String, byte[]> registrations = builder.globalTable(
        need(env, "KS_REGISTRATIONS"),
        Consumed.with(Serdes.String(), Serdes.ByteArray()),
        Materialized.<String, byte[]>as(Stores.inMemoryKeyValueStore("registrations"))
            .withKeySerde(Serdes.String())
            .withValueSerde(Serdes.ByteArray()));
    Map<String, KStream<String, Decoded>> branches = builder
        .stream(need(env, "KS_INPUT"), Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(() -> new Decode(enricher, maxBytes))
        .split(Named.as("input-"))
        .branch(
            (key, d) -> d.enriched() == null,
            Branched.withConsumer(dead -> dead.mapValues(Decoded::raw)
                .to(need(env, "KS_DLQ"), Produced.with(Serdes.String(), Serdes.ByteArray())), "dead"))
        .defaultBranch(Branched.as("ok"));
    branches.get("input-ok")
        .leftJoin(registrations, (key, d) -> d.enriched().detectedType(), (d, apps) -> enricher.join(d.enriched(), apps))
        .to(need(env, "KS_OUTPUT"), Produced.with(Serdes.String(), Serdes.ByteArray()));

    KafkaStreams streams = new KafkaStreams(builder.build(), config(env));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close();
      stopped.countDown();
    }));
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) System.out.println("kafka-streams running");
      if (now == KafkaStreams.State.ERROR) System.exit(1);
    });
    streams.start();
    stopped.await();
  }

  static Properties config(Map<String, String> env) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, need(env, "KS_APPLICATION_ID"));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, need(env, "KS_BOOTSTRAP"));
    p.put(StreamsConfig.STATE_DIR_CONFIG, need(env, "KS_STATE_DIR"));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 262_144);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), Integer.parseInt(env.getOrDefault("KS_LINGER_MS", "100")));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
    return p;
  }

  /**
   * Decodes and enriches each raw record; sets the output's key, headers and time (now, so the
   * output topic's create times show when records were written, as our producer's do).
   */
  static final class Decode implements Processor<String, byte[], String, Decoded> {
    private final Enricher enricher;
    private final int maxBytes;
    private ProcessorContext<String, Decoded> context;

    Decode(Enricher enricher, int maxBytes) {
      this.enricher = enricher;
      this.maxBytes = maxBytes;
    }

    @Override
    public void init(ProcessorContext<String, Decoded> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> r) {
      RecordMetadata from = context.recordMetadata().orElseThrow();
      long now = System.currentTimeMillis();
      try {
        byte[] value = r.value() == null ? new byte[0] : r.value();
        if (value.length > maxBytes)
          throw new Enricher.Rejected("oversize", value.length + " bytes exceeds the limit of " + maxBytes);
        checkContentType(r.headers());
        Enricher.Enriched e = enricher.enrich(value);
        Headers headers = new RecordHeaders()
            .add("content-type", utf8(JSON))
            .add("message-id", utf8(from.topic() + "/" + from.partition() + "/" + from.offset()))
            .add("source-timestamp", utf8(String.valueOf(r.timestamp())));
        String key = r.key() == null ? e.deviceId() : r.key();
        context.forward(new Record<>(key, new Decoded(e, null), now, headers));
      } catch (RuntimeException e) {
        String reason = e instanceof Enricher.Rejected rejected ? rejected.reason : "enrichment_failed";
        String error = String.valueOf(e.getMessage());
        Headers headers = new RecordHeaders(r.headers().toArray())
            .add("dlq-reason", utf8(reason))
            .add("dlq-error", utf8(error.length() > 500 ? error.substring(0, 500) : error))
            .add("dlq-source-topic", utf8(from.topic()))
            .add("dlq-source-partition", utf8(String.valueOf(from.partition())))
            .add("dlq-source-offset", utf8(String.valueOf(from.offset())))
            .add("dlq-time", utf8(Enricher.timestamp(now)));
        context.forward(new Record<>(r.key(), new Decoded(null, r.value()), now, headers));
      }
    }

    /** This peer enriches JSON only (what the bench compares); protobuf input is refused, not misread. */
    private static void checkContentType(Headers headers) {
      var h = headers.lastHeader("content-type");
      String ct = h == null ? "" : new String(h.value(), StandardCharsets.UTF_8).split(";", 2)[0].trim().toLowerCase();
      if (!ct.isEmpty() && !ct.equals(JSON))
        throw new Enricher.Rejected("unknown_schema", "content-type \"" + (ct.length() > 80 ? ct.substring(0, 80) : ct) + "\" is not JSON");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String need(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) throw new IllegalArgumentException(name + " is not set");
    return v;
  }
}
