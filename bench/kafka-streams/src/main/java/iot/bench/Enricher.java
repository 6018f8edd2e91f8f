package iot.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our enrichment rule in Java, as services/enrichment/src (enrich.ts, detect-device-type.ts,
 * data-quality.ts, device-profile.ts) and services/common/src/codec (validate.ts, timestamp.ts) do it
 * for JSON: the same checks with the same dead-letter reasons, the same detected type, the same output
 * fields in the same order. Like our encoder, the blocks that are the same for every record of a type
 * (metadata, registrations) are encoded once and written raw.
 */
final class Enricher {
  static final String SERVICE = "iot-enrichment-service";
  static final String VERSION = "1.0.0";
  private static final int MAX_DEVICE_ID = 128;
  private static final int MAX_CACHED = 1_024;
  private static final long MIN_EPOCH_SECONDS = -62_167_219_200L;
  private static final long MAX_EPOCH_SECONDS = 253_402_300_799L;
  private static final double MAX_SAFE_INTEGER = 9_007_199_254_740_991d;
  private static final Pattern DEVICE_TYPE_ID = Pattern.compile("^[a-z][a-z0-9_]{0,63}$");
  private static final Pattern CANONICAL = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$");
  private static final Pattern RFC3339 =
      Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d)[Tt ](\\d\\d:\\d\\d:\\d\\d)(?:\\.(\\d{1,9}))?([Zz]|[+-]\\d\\d:\\d\\d)?$");
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final Map<String, Set<String>> TOP_LEVEL = Map.of(
      "telemetry", Set.of("device_id", "device_type", "timestamp", "event_type", "measurements"),
      "trends", Set.of("device_id", "device_type", "timestamp", "event_type", "trends"));
  private static final List<String> TREND_NUMBERS = List.of("v", "avg", "min", "max");
  private static final String UNKNOWN = "unknown";
  private static final SerializedString NO_QUALITY = new SerializedString("{\"out_of_range\":[],\"missing_groups\":[]}");

  /** Input our rules refuse: becomes a dead letter with this reason (codec/decode-error.ts). */
  static final class Rejected extends RuntimeException {
    final String reason;

    Rejected(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  record Check(String group, String component, Double min, Double max) {}

  record Profile(SerializedString metadata, List<String> groups, List<Check> checks, Map<String, Check> metricBounds) {}

  /** A validated event, its enrichment encoded but for the registrations block, which comes from the table. */
  record Enriched(String deviceId, String detectedType, byte[] head, byte[] tail) {}

  private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  {
    // The head of a record is an object left open: the rest is appended to it.
    json.getFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
  }
  private final Map<String, Profile> profiles = new LinkedHashMap<>();
  private final ByteArrayBuilder buffer = new ByteArrayBuilder(2048);
  private final Map<String, SerializedString> infos = new HashMap<>();
  private final Map<String, Registry> registries = new HashMap<>();
  private long infosAtMs = -1;

  private record Registry(byte[] applications, byte[] block) {}

  Enricher(JsonNode deviceRegistry) {
    deviceRegistry.get("device_types").fields().forEachRemaining(t -> profiles.put(t.getKey(), profileOf(t.getKey(), t.getValue())));
  }

  /** Validates and enriches one raw JSON value; throws Rejected for bad input. Not thread-safe: one per stream task thread. */
  Enriched enrich(byte[] value) {
    JsonNode doc;
    try {
      doc = json.readTree(value);
    } catch (IOException e) {
      throw new Rejected("malformed", "not valid UTF-8 JSON: " + e.getMessage());
    }
    if (doc == null || !doc.isObject()) throw new Rejected("not_an_object", "expected a JSON object, got " + describe(doc));
    JsonNode id = doc.get("device_id");
    if (id == null || !id.isTextual() || id.textValue().isEmpty())
      throw new Rejected("missing_device_id", "device_id: missing or not a non-empty string");
    if (id.textValue().length() > MAX_DEVICE_ID)
      throw new Rejected("invalid_field", "device_id: longer than " + MAX_DEVICE_ID + " characters");
    JsonNode typeNode = doc.get("device_type");
    if (typeNode != null && !typeNode.isNull() && !typeNode.isTextual())
      throw new Rejected("invalid_field", "device_type: expected a string");
    String type = typeNode == null || typeNode.isNull() ? "" : typeNode.textValue();
    JsonNode eventTypeNode = doc.get("event_type");
    String eventType = eventTypeNode == null || eventTypeNode.isNull()
        ? (doc.has("trends") ? "trends" : "telemetry")
        : eventTypeNode.isTextual() ? eventTypeNode.textValue() : null;
    Set<String> allowed = eventType == null ? null : TOP_LEVEL.get(eventType);
    if (allowed == null)
      throw new Rejected("unknown_schema", "event_type: \"" + clip(String.valueOf(eventTypeNode), 40) + "\" is not telemetry or trends");
    for (Iterator<String> keys = doc.fieldNames(); keys.hasNext(); ) {
      String k = keys.next();
      if (!allowed.contains(k))
        throw new Rejected("unknown_schema", "unexpected field \"" + clip(k, 40) + "\" in a " + eventType + " event");
    }
    String timestamp = canonicalTimestamp(doc.get("timestamp"));
    boolean trends = eventType.equals("trends");
    JsonNode body = trends ? validateTrends(doc.get("trends")) : validateMeasurements(doc.get("measurements"));

    String detected = detectDeviceType(type, body, trends);
    Profile profile = profiles.get(detected);
    if (profile == null) profile = unregistered(detected);
    try {
      buffer.reset();
      try (JsonGenerator g = json.getFactory().createGenerator(buffer)) {
        g.writeStartObject();
        g.writeStringField("device_id", id.textValue());
        g.writeStringField("device_type", type);
        g.writeStringField("timestamp", timestamp);
        g.writeStringField("event_type", eventType);
        g.writeFieldName(trends ? "trends" : "measurements");
        json.writeTree(g, body);
        g.writeFieldName("device_metadata");
        g.writeRawValue(profile.metadata());
      }
      byte[] head = buffer.toByteArray();
      buffer.reset();
      try (JsonGenerator g = json.getFactory().createGenerator(buffer)) {
        g.writeStartObject();
        g.writeFieldName("enrichment_info");
        g.writeRawValue(infoOf(detected));
        g.writeFieldName("data_quality");
        writeQuality(g, trends, body, profile);
        g.writeEndObject();
      }
      byte[] tail = buffer.toByteArray();
      // The tail was written as an object of its own: its opening brace becomes the separator.
      tail[0] = ',';
      return new Enriched(id.textValue(), detected, head, tail);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The enriched record: the event and metadata, the registrations of its type (a JSON list, or null for none), the rest. */
  byte[] join(Enriched e, byte[] applications) {
    byte[] block = registryBlock(e.detectedType(), applications == null ? EMPTY_LIST : applications);
    byte[] out = new byte[e.head().length + block.length + e.tail().length];
    System.arraycopy(e.head(), 0, out, 0, e.head().length);
    System.arraycopy(block, 0, out, e.head().length, block.length);
    System.arraycopy(e.tail(), 0, out, e.head().length + block.length, e.tail().length);
    return out;
  }

  private static final byte[] EMPTY_LIST = "[]".getBytes(StandardCharsets.UTF_8);

  private byte[] registryBlock(String type, byte[] applications) {
    Registry cached = registries.get(type);
    if (cached != null && Arrays.equals(cached.applications(), applications)) return cached.block();
    try {
      int count = json.readTree(applications).size();
      String text = ",\"application_registry\":{\"device_type\":" + json.writeValueAsString(type)
          + ",\"registered_applications_count\":" + count + ",\"applications\":";
      byte[] head = text.getBytes(StandardCharsets.UTF_8);
      byte[] block = Arrays.copyOf(head, head.length + applications.length + 1);
      System.arraycopy(applications, 0, block, head.length, applications.length);
      block[block.length - 1] = '}';
      // Devices name their own types: the cache stays bounded.
      if (registries.size() >= MAX_CACHED) registries.clear();
      registries.put(type, new Registry(applications, block));
      return block;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The enrichment info of a type, the same for every record enriched within one millisecond. */
  private SerializedString infoOf(String detected) throws IOException {
    long now = System.currentTimeMillis();
    if (now != infosAtMs || infos.size() >= MAX_CACHED) {
      infos.clear();
      infosAtMs = now;
    }
    SerializedString info = infos.get(detected);
    if (info == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("enriched_at", timestamp(now));
      m.put("enrichment_service", SERVICE);
      m.put("enrichment_version", VERSION);
      m.put("device_type_detected", detected);
      m.put("app_registry_integration", true);
      infos.put(detected, info = new SerializedString(json.writeValueAsString(m)));
    }
    return info;
  }

  /** As codec/timestamp.ts timestampNow: RFC 3339 UTC with six fractional digits. */
  static String timestamp(long ms) {
    return SECONDS.format(Instant.ofEpochMilli(ms)) + String.format(".%03d000Z", Math.floorMod(ms, 1000));
  }

  private String detectDeviceType(String type, JsonNode body, boolean trends) {
    if (DEVICE_TYPE_ID.matcher(type).matches()) return type;
    List<String> groups = new ArrayList<>();
    if (trends) body.forEach(p -> groups.add(p.get("c").textValue()));
    else body.fieldNames().forEachRemaining(groups::add);
    String best = UNKNOWN;
    int bestScore = 0;
    boolean tie = false;
    for (Map.Entry<String, Profile> p : profiles.entrySet()) {
      int score = 0;
      for (String g : groups)
        for (String d : p.getValue().groups())
          if (g.equals(d) || g.startsWith(d + "_")) {
            score++;
            break;
          }
      if (score > bestScore) {
        best = p.getKey();
        bestScore = score;
        tie = false;
      } else if (score == bestScore && score > 0) tie = true;
    }
    return tie ? UNKNOWN : best;
  }

  private void writeQuality(JsonGenerator g, boolean trends, JsonNode body, Profile profile) throws IOException {
    List<Object[]> out = new ArrayList<>(0);
    List<String> missing = new ArrayList<>(0);
    if (trends) {
      for (JsonNode p : body) {
        Check c = profile.metricBounds().get(p.get("c").textValue());
        if (c == null) continue;
        flag(out, p.get("c").textValue() + ".min", p.get("min"), c);
        flag(out, p.get("c").textValue() + ".max", p.get("max"), c);
      }
    } else {
      for (Check c : profile.checks()) {
        JsonNode group = body.get(c.group());
        if (group == null) continue;
        String key = c.component() == null ? "value" : c.component();
        flag(out, c.group() + "." + key, group.get(key), c);
      }
      for (String group : profile.groups()) if (!body.has(group)) missing.add(group);
    }
    if (out.isEmpty() && missing.isEmpty()) {
      g.writeRawValue(NO_QUALITY);
      return;
    }
    g.writeStartObject();
    g.writeArrayFieldStart("out_of_range");
    for (Object[] o : out) {
      Check c = (Check) o[2];
      g.writeStartObject();
      g.writeStringField("field", (String) o[0]);
      g.writeFieldName("value");
      json.writeTree(g, (JsonNode) o[1]);
      if (c.min() != null) writeJsNumber(g, "min", c.min());
      if (c.max() != null) writeJsNumber(g, "max", c.max());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("missing_groups");
    for (String m : missing) g.writeString(m);
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void flag(List<Object[]> out, String field, JsonNode value, Check c) {
    if (value == null || !value.isNumber()) return;
    double v = value.doubleValue();
    if ((c.min() != null && v < c.min()) || (c.max() != null && v > c.max())) out.add(new Object[] {field, value, c});
  }

  /** As JSON.stringify writes a number: 110, not 110.0. */
  private static void writeJsNumber(JsonGenerator g, String field, double d) throws IOException {
    g.writeFieldName(field);
    if (d == Math.rint(d) && Math.abs(d) < 1e15) g.writeNumber((long) d);
    else g.writeNumber(d);
  }

  private static JsonNode validateMeasurements(JsonNode m) {
    if (m == null || !m.isObject()) throw new Rejected("unknown_schema", "measurements: expected an object of measurement groups");
    m.fields().forEachRemaining(group -> {
      if (!group.getValue().isObject())
        throw new Rejected("unknown_schema", "measurements." + clip(group.getKey(), 40) + ": expected an object");
    });
    return m;
  }

  private static JsonNode validateTrends(JsonNode list) {
    if (list == null || !list.isArray()) throw new Rejected("unknown_schema", "trends: expected a list");
    int i = 0;
    for (JsonNode p : list) {
      String at = "trends[" + i++ + "]";
      if (!p.isObject()) throw new Rejected("unknown_schema", at + ": expected an object");
      JsonNode c = p.get("c");
      if (c == null || !c.isTextual() || c.textValue().isEmpty()) throw new Rejected("invalid_field", at + ".c: expected a metric name");
      for (String f : TREND_NUMBERS) {
        JsonNode n = p.get(f);
        if (n == null || !n.isNumber() || !Double.isFinite(n.doubleValue()))
          throw new Rejected("invalid_field", at + "." + f + ": expected a number");
      }
      JsonNode t = p.get("t");
      if (t == null || !t.isNumber() || t.doubleValue() != Math.rint(t.doubleValue()) || Math.abs(t.doubleValue()) > MAX_SAFE_INTEGER)
        throw new Rejected("invalid_field", at + ".t: expected epoch seconds");
      checkEpochSeconds(t.doubleValue(), at + ".t");
      if (p.size() != 2 + TREND_NUMBERS.size())
        throw new Rejected("unknown_schema", at + ": expected exactly c, v, avg, min, max, t");
    }
    return list;
  }

  private static void checkEpochSeconds(double seconds, String field) {
    if (seconds < MIN_EPOCH_SECONDS || seconds > MAX_EPOCH_SECONDS)
      throw new Rejected("invalid_field", field + ": " + seconds + " is outside the years 0000–9999");
  }

  private static String canonicalTimestamp(JsonNode value) {
    if (value == null || !value.isTextual()) throw new Rejected("invalid_field", "timestamp: expected an RFC 3339 string");
    String text = value.textValue();
    if (CANONICAL.matcher(text).matches()) return text;
    Matcher m = RFC3339.matcher(text);
    try {
      if (!m.matches()) throw new IllegalArgumentException();
      String offset = m.group(4) == null ? "Z" : m.group(4).toUpperCase();
      long seconds = LocalDate.parse(m.group(1)).atTime(LocalTime.parse(m.group(2))).toEpochSecond(ZoneOffset.of(offset));
      String fraction = m.group(3) == null ? "" : m.group(3);
      String micros = (fraction + "000000").substring(0, 6);
      return SECONDS.format(Instant.ofEpochSecond(seconds)) + "." + micros + "Z";
    } catch (RuntimeException e) {
      throw new Rejected("invalid_field", "timestamp: \"" + clip(text, 40) + "\" is not an RFC 3339 time");
    }
  }

  private Profile profileOf(String id, JsonNode t) {
    List<Check> checks = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    t.get("measurements").fields().forEachRemaining(e -> {
      groups.add(e.getKey());
      checks.addAll(checksOf(e.getKey(), e.getValue()));
    });
    Map<String, Check> bounds = new HashMap<>();
    for (Check c : checks) bounds.put(c.component() == null ? c.group() : c.group() + "_" + c.component(), c);
    ObjectNode md = json.createObjectNode();
    md.put("device_type", id);
    md.put("device_type_name", t.get("name").textValue());
    md.put("device_type_description", t.get("description").textValue());
    md.put("device_category", t.get("category").textValue());
    md.set("capabilities", t.has("capabilities") ? t.get("capabilities") : json.createArrayNode());
    md.put("data_format", t.has("data_format") ? t.get("data_format").textValue() : "json");
    md.put("update_frequency", t.has("update_frequency") ? t.get("update_frequency").textValue() : "");
    md.put("retention_policy", t.has("retention_policy") ? t.get("retention_policy").textValue() : "");
    return new Profile(new SerializedString(md.toString()), groups, checks, bounds);
  }

  private Profile unregistered(String type) {
    ObjectNode md = json.createObjectNode();
    md.put("device_type", type);
    md.put("device_type_name", type);
    md.put("device_type_description", "Device type not in the device registry");
    md.put("device_category", "unregistered");
    md.set("capabilities", json.createArrayNode());
    md.put("data_format", "");
    md.put("update_frequency", "");
    md.put("retention_policy", "");
    return new Profile(new SerializedString(md.toString()), List.of(), List.of(), Map.of());
  }

  private static List<Check> checksOf(String group, JsonNode spec) {
    List<Check> out = new ArrayList<>();
    if (spec.has("components")) spec.get("components").fields().forEachRemaining(c -> bounded(out, group, c.getKey(), c.getValue()));
    else if (spec.has("phases")) spec.get("phases").forEach(p -> bounded(out, group, p.textValue(), spec));
    else bounded(out, group, null, spec);
    return out;
  }

  private static void bounded(List<Check> out, String group, String component, JsonNode b) {
    List<Double> valid = new ArrayList<>();
    if (b.has("valid_values")) b.get("valid_values").forEach(v -> { if (v.isNumber()) valid.add(v.doubleValue()); });
    Double min = b.has("min_value") ? Double.valueOf(b.get("min_value").doubleValue()) : valid.stream().min(Double::compare).orElse(null);
    Double max = b.has("max_value") ? Double.valueOf(b.get("max_value").doubleValue()) : valid.stream().max(Double::compare).orElse(null);
    if (min != null || max != null) out.add(new Check(group, component, min, max));
  }

  private static String describe(JsonNode v) {
    if (v == null || v.isNull()) return "null";
    if (v.isArray()) return "an array";
    if (v.isTextual()) return "string";
    if (v.isNumber()) return "number";
    return v.isBoolean() ? "boolean" : "object";
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n);
  }
}
