package dev.sluice.destinations.prometheus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.destinations.prometheus.internal.MetricSpec.CounterMode;
import dev.sluice.destinations.prometheus.internal.MetricSpec.LabelSpec;
import dev.sluice.destinations.prometheus.internal.MetricSpec.OnDecrease;
import dev.sluice.destinations.prometheus.internal.MetricSpec.Type;
import dev.sluice.record.FieldPath;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The validated options of one {@code prometheus} destination. Immutable and thread-safe.
 *
 * @param metrics the mappings, at least one
 * @param host the address the own scrape server binds to
 * @param port the own scrape server's port (0: any free port), or -1 for no own server
 * @param maxSeriesPerMetric the cardinality guard
 * @param maxLabelValueLength longer label values are cut to this many characters
 * @param staleAfterRuns a series not written by this many successful runs of its pipeline is
 *     removed; 0 turns this off
 * @param staleAfter a series not written for this long is removed; null turns this off
 * @param push the Pushgateway settings, or null when not pushing
 */
public record Settings(
    List<MetricSpec> metrics,
    String host,
    int port,
    int maxSeriesPerMetric,
    int maxLabelValueLength,
    int staleAfterRuns,
    Duration staleAfter,
    Push push) {

  /** Label names a Pushgateway push sets itself (the grouping key). */
  public static final String JOB_LABEL = "job";
  public static final String PIPELINE_LABEL = "pipeline";

  static final int MAX_CONST_LENGTH = 1024;

  static final Set<String> TOP_LEVEL = Set.of("type", "metrics", "host", "port", "maxSeriesPerMetric",
      "maxLabelValueLength", "staleAfterRuns", "staleAfter", "pushgateway", "delivery");
  static final Set<String> METRIC_KEYS = Set.of("name", "type", "help", "unit", "value", "labels",
      "constLabels", "counterMode", "onDecrease", "buckets", "quantiles");
  static final Set<String> PUSH_KEYS = Set.of("url", "job", "method", "pushOn", "timeout");

  /** How a push replaces what the Pushgateway holds for the group. */
  public enum PushMethod {
    /** HTTP PUT: the group's metrics are replaced by exactly what is pushed. */
    PUT,
    /** HTTP POST: only metrics with the pushed names are replaced; others in the group stay. */
    POST
  }

  /** When to push. */
  public enum PushOn {
    RUN_END, EVERY_BATCH
  }

  /**
   * @param url base URL of the Pushgateway, may hold user info (treated as a secret)
   * @param job the {@code job} grouping label
   * @param method replace (PUT) or add (POST)
   * @param pushOn when to push
   * @param timeout connect and request timeout
   */
  public record Push(URI url, String job, PushMethod method, PushOn pushOn, Duration timeout) {
    /** The URL without user info, safe for messages. */
    public String safeUrl() {
      return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
          + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    @Override
    public String toString() {
      return "Push{" + safeUrl() + ", job=" + job + ", " + method + ", " + pushOn + "}";
    }
  }

  /**
   * Reads and validates the options.
   *
   * @throws PluginConfigException naming the option and what is wrong
   */
  public static Settings parse(PluginConfig config) {
    String owner = config.owner();
    unknownKeys(owner, "", config.asObjectNode(), TOP_LEVEL);
    String host = config.string("host", "127.0.0.1");
    if (host.isBlank()) {
      throw config.invalid("host", "an address to bind to, such as 127.0.0.1", config.node("host").orElse(null));
    }
    int port = config.has("port") ? config.intValue("port", 0, 0, 65535) : -1;
    int maxSeries = config.intValue("maxSeriesPerMetric", 1000, 1, 10_000_000);
    int maxLabelLength = config.intValue("maxLabelValueLength", 256, 1, 65536);
    int staleRuns = config.intValue("staleAfterRuns", 0, 0, 1_000_000);
    Duration staleAfter = config.has("staleAfter") ? config.duration("staleAfter", null) : null;
    if (staleAfter != null && staleAfter.isZero()) {
      throw config.invalid("staleAfter", "a positive duration such as 1h", config.node("staleAfter").orElse(null));
    }
    Push push = config.node("pushgateway").map(n -> parsePush(config, n)).orElse(null);

    JsonNode metricsNode = config.node("metrics").orElseThrow(() -> new PluginConfigException(
        owner + ": option 'metrics' is required: a list of mappings such as"
            + " [{name: ga4_sessions, type: gauge, value: $.sessions, labels: {channel: $.channel}}]"));
    if (!metricsNode.isArray() || metricsNode.isEmpty()) {
      throw config.invalid("metrics", "a non-empty list of metric mappings", metricsNode);
    }
    List<MetricSpec> metrics = new ArrayList<>();
    Map<String, String> exposedBy = new HashMap<>();
    for (int i = 0; i < metricsNode.size(); i++) {
      String where = owner + ": metrics[" + i + "]";
      MetricSpec spec = parseMetric(where, metricsNode.get(i), push != null);
      where = where + " ('" + spec.name() + "')";
      for (String exposed : spec.expositionNames()) {
        String other = exposedBy.putIfAbsent(exposed, spec.name());
        if (other != null) {
          throw new PluginConfigException(where + ": its exposition name '" + exposed
              + "' collides with metric '" + other + "'; give the metrics distinct names");
        }
      }
      metrics.add(spec);
    }
    return new Settings(List.copyOf(metrics), host, port, maxSeries, maxLabelLength, staleRuns, staleAfter, push);
  }

  private static Push parsePush(PluginConfig config, JsonNode n) {
    String owner = config.owner();
    if (!n.isObject()) {
      throw new PluginConfigException(owner + ": option 'pushgateway' must be an object such as"
          + " {url: http://127.0.0.1:9091, job: sluice}");
    }
    unknownKeys(owner, "pushgateway.", n, PUSH_KEYS);
    PluginConfig p = new PluginConfig(owner + ": pushgateway", (com.fasterxml.jackson.databind.node.ObjectNode) n);
    String raw = p.secret("url");
    URI url;
    try {
      url = new URI(raw.trim());
    } catch (URISyntaxException e) {
      throw new PluginConfigException(owner + ": pushgateway option 'url' is not a valid URL (value hidden:"
          + " it may hold credentials)");
    }
    if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
        || url.getHost() == null) {
      throw new PluginConfigException(owner + ": pushgateway option 'url' must be an http(s) URL such as"
          + " http://127.0.0.1:9091 (value hidden: it may hold credentials)");
    }
    if (url.getRawQuery() != null || url.getRawFragment() != null) {
      throw new PluginConfigException(owner + ": pushgateway option 'url' must not have a query or fragment");
    }
    String job = p.string("job", "sluice");
    if (job.isEmpty()) {
      throw p.invalid("job", "a non-empty job name", n.get("job"));
    }
    PushMethod method = p.enumValue("method", PushMethod.class, PushMethod.PUT);
    PushOn pushOn = p.enumValue("pushOn", PushOn.class, PushOn.RUN_END);
    Duration timeout = p.duration("timeout", Duration.ofSeconds(10));
    if (timeout.isZero()) {
      throw p.invalid("timeout", "a positive duration", n.get("timeout"));
    }
    return new Push(url, job, method, pushOn, timeout);
  }

  private static MetricSpec parseMetric(String where, JsonNode n, boolean pushing) {
    if (n == null || !n.isObject()) {
      throw new PluginConfigException(where + " must be an object with name, type and value");
    }
    unknownKeys(where, "", n, METRIC_KEYS);
    PluginConfig m = new PluginConfig(where, (com.fasterxml.jackson.databind.node.ObjectNode) n);
    Type type = m.enumValue("type", Type.class, null);
    if (type == null) {
      throw new PluginConfigException(where + ": option 'type' is required: gauge, counter, histogram or summary");
    }
    String name = m.string("name");
    if (type == Type.COUNTER && name.endsWith("_total")) {
      name = name.substring(0, name.length() - "_total".length()); // exposed as <name>_total again
    }
    String problem = Naming.metricNameProblem(name);
    if (problem != null) {
      throw new PluginConfigException(where + ": option 'name': " + problem);
    }
    for (String suffix : new String[] {"_total", "_created", "_bucket", "_info"}) {
      if (name.endsWith(suffix)) {
        throw new PluginConfigException(where + ": option 'name': '" + name + "' ends with the reserved suffix '"
            + suffix + "'" + (suffix.equals("_total") ? " (only counters end with _total)" : ""));
      }
    }
    where = where + " ('" + name + "')";
    String unit = m.optionalString("unit").orElse(null);
    if (unit != null) {
      String unitProblem = Naming.unitProblem(unit);
      if (unitProblem != null) {
        throw new PluginConfigException(where + ": option 'unit': " + unitProblem);
      }
      if (!name.endsWith("_" + unit)) {
        throw new PluginConfigException(where + ": option 'unit' is '" + unit + "', so the name must end with '_"
            + unit + "' (OpenMetrics); rename it to '" + name + "_" + unit + "'");
      }
    }
    // Control characters (but for newlines, which the exposition escapes) would reach scrapers raw.
    String help = LabelValues.sanitize(m.string("help", "").replace('\n', ' '), MAX_CONST_LENGTH);
    String valueText = m.string("value");
    FieldPath valuePath = path(where, "value", valueText);

    List<LabelSpec> labels = new ArrayList<>();
    JsonNode labelsNode = n.get("labels");
    if (labelsNode != null && !labelsNode.isNull()) {
      if (!labelsNode.isObject()) {
        throw m.invalid("labels", "a map of label name to JSONPath, such as {channel: $.channel}", labelsNode);
      }
      for (Map.Entry<String, JsonNode> e : labelsNode.properties()) {
        String label = e.getKey();
        checkLabelName(where, "labels", label, type, pushing);
        JsonNode v = e.getValue();
        String pathText;
        String def = null;
        if (v.isTextual()) {
          pathText = v.asText();
        } else if (v.isObject() && v.has("path") && v.get("path").isTextual()) {
          Iterator<String> keys = v.fieldNames();
          while (keys.hasNext()) {
            String k = keys.next();
            if (!k.equals("path") && !k.equals("default")) {
              throw new PluginConfigException(where + ": label '" + label + "': unknown option '" + k
                  + "' (allowed: path, default)");
            }
          }
          pathText = v.get("path").asText();
          JsonNode d = v.get("default");
          if (d != null && !d.isNull()) {
            if (!d.isValueNode()) {
              throw new PluginConfigException(where + ": label '" + label + "': 'default' must be a string, got " + d);
            }
            def = d.asText();
          }
        } else {
          throw new PluginConfigException(where + ": label '" + label + "' must be a JSONPath string or"
              + " {path: ..., default: ...}, got " + v);
        }
        labels.add(new LabelSpec(label, path(where, "labels." + label, pathText), pathText, def));
      }
    }
    Map<String, String> constLabels = new LinkedHashMap<>();
    JsonNode constNode = n.get("constLabels");
    if (constNode != null && !constNode.isNull()) {
      if (!constNode.isObject()) {
        throw m.invalid("constLabels", "a map of label name to fixed value, such as {source: ga4}", constNode);
      }
      for (Map.Entry<String, JsonNode> e : constNode.properties()) {
        checkLabelName(where, "constLabels", e.getKey(), type, pushing);
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw new PluginConfigException(where + ": constLabels." + e.getKey() + " must be a string, got "
              + e.getValue());
        }
        for (LabelSpec l : labels) {
          if (l.name().equals(e.getKey())) {
            throw new PluginConfigException(where + ": label '" + e.getKey()
                + "' is both in labels and in constLabels; a label name may appear once");
          }
        }
        constLabels.put(e.getKey(), LabelValues.sanitize(e.getValue().asText(), MAX_CONST_LENGTH));
      }
    }

    CounterMode counterMode = null;
    OnDecrease onDecrease = null;
    if (type == Type.COUNTER) {
      if (!n.has("counterMode")) {
        throw new PluginConfigException(where + ": a counter needs option 'counterMode': absolute (the record"
            + " holds the running total) or delta (the record holds an increment)");
      }
      counterMode = m.enumValue("counterMode", CounterMode.class, null);
      onDecrease = m.enumValue("onDecrease", OnDecrease.class, OnDecrease.REJECT);
      if (counterMode == CounterMode.DELTA && n.has("onDecrease")) {
        throw new PluginConfigException(where + ": option 'onDecrease' applies to counterMode absolute only;"
            + " a delta counter always refuses a negative increment");
      }
    } else {
      for (String k : new String[] {"counterMode", "onDecrease"}) {
        if (n.has(k)) {
          throw new PluginConfigException(where + ": option '" + k + "' applies to counters only, not to "
              + type.name().toLowerCase(Locale.ROOT) + "s");
        }
      }
    }
    double[] buckets = null;
    if (type == Type.HISTOGRAM) {
      buckets = n.has("buckets") ? numbers(where, "buckets", n.get("buckets"), false)
          : new double[] {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
    } else if (n.has("buckets")) {
      throw new PluginConfigException(where + ": option 'buckets' applies to histograms only");
    }
    double[] quantiles = null;
    if (type == Type.SUMMARY) {
      quantiles = n.has("quantiles") ? numbers(where, "quantiles", n.get("quantiles"), true)
          : new double[] {0.5, 0.9, 0.99};
    } else if (n.has("quantiles")) {
      throw new PluginConfigException(where + ": option 'quantiles' applies to summaries only");
    }
    return new MetricSpec(name, type, help, unit, valuePath, valueText, labels, constLabels, counterMode,
        onDecrease, buckets, quantiles);
  }

  private static void checkLabelName(String where, String option, String label, Type type, boolean pushing) {
    String problem = Naming.labelNameProblem(label);
    if (problem != null) {
      throw new PluginConfigException(where + ": " + option + ": " + problem);
    }
    if (type == Type.HISTOGRAM && label.equals("le")) {
      throw new PluginConfigException(where + ": " + option + ": label 'le' is reserved in histograms (bucket bounds)");
    }
    if (type == Type.SUMMARY && label.equals("quantile")) {
      throw new PluginConfigException(where + ": " + option + ": label 'quantile' is reserved in summaries");
    }
    if (pushing && (label.equals(JOB_LABEL) || label.equals(PIPELINE_LABEL))) {
      throw new PluginConfigException(where + ": " + option + ": label '" + label + "' collides with the"
          + " Pushgateway grouping key (job, pipeline) this destination pushes with; rename it");
    }
  }

  private static double[] numbers(String where, String option, JsonNode n, boolean quantiles) {
    if (n == null || !n.isArray() || n.isEmpty()) {
      throw new PluginConfigException(where + ": option '" + option + "' must be a non-empty list of numbers, got " + n);
    }
    double[] out = new double[n.size()];
    for (int i = 0; i < n.size(); i++) {
      JsonNode v = n.get(i);
      if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
        throw new PluginConfigException(where + ": " + option + "[" + i + "] must be a finite number, got " + v);
      }
      out[i] = v.asDouble();
      if (quantiles && (out[i] < 0 || out[i] > 1)) {
        throw new PluginConfigException(where + ": " + option + "[" + i + "] must be between 0 and 1, got " + v);
      }
      if (i > 0 && out[i] <= out[i - 1]) {
        throw new PluginConfigException(where + ": option '" + option + "' must be strictly increasing, got "
            + Arrays.toString(out).replace(".0,", ","));
      }
    }
    return out;
  }

  private static FieldPath path(String where, String option, String text) {
    FieldPath p = FieldPath.tryParse(text);
    if (p == null || !text.trim().startsWith("$")) {
      throw new PluginConfigException(where + ": option '" + option + "': '" + text
          + "' is not a definite JSONPath of field names and indexes, like $.sessions or $.rows[0].value");
    }
    return p;
  }

  private static void unknownKeys(String owner, String prefix, JsonNode n, Set<String> allowed) {
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (!allowed.contains(k)) {
        throw new PluginConfigException(owner + ": unknown option '" + prefix + k + "' (allowed: "
            + String.join(", ", allowed.stream().filter(a -> !a.equals("type")).sorted().toList()) + ")");
      }
    }
  }
}
