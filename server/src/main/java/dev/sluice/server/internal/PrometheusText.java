package dev.sluice.server.internal;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders any Micrometer registry in the Prometheus text format (0.0.4): counters as {@code
 * _total}, gauges as they are, timers and distribution summaries as {@code _count}, {@code _sum} and
 * {@code _max}. Hosts with a {@code PrometheusMeterRegistry} plug its {@code scrape} in instead.
 */
public final class PrometheusText {
  private PrometheusText() {}

  public static String render(MeterRegistry registry) {
    Map<String, List<String>> families = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    List<Meter> meters = new ArrayList<>(registry.getMeters());
    meters.sort(Comparator.comparing(m -> m.getId().getName()));
    for (Meter m : meters) {
      String base = sanitize(m.getId().getName());
      String labels = labels(m.getId().getTags());
      Meter.Type type = m.getId().getType();
      for (Measurement ms : m.measure()) {
        String name;
        switch (ms.getStatistic()) {
          case COUNT -> name = type == Meter.Type.COUNTER ? base + "_total" : base + "_count";
          case TOTAL, TOTAL_TIME -> name = base + "_sum";
          case MAX -> name = base + "_max";
          case ACTIVE_TASKS -> name = base + "_active_count";
          case DURATION -> name = base + "_duration_sum";
          default -> name = base;
        }
        if (!types.containsKey(name)) {
          types.put(name, type == Meter.Type.COUNTER && name.endsWith("_total") ? "counter"
              : type == Meter.Type.GAUGE ? "gauge" : "untyped");
        }
        families.computeIfAbsent(name, k -> new ArrayList<>()).add(name + labels + " " + number(ms.getValue()));
      }
    }
    StringBuilder sb = new StringBuilder();
    families.forEach((name, lines) -> {
      sb.append("# TYPE ").append(name).append(' ').append(types.get(name)).append('\n');
      lines.forEach(l -> sb.append(l).append('\n'));
    });
    return sb.toString();
  }

  private static String labels(List<Tag> tags) {
    if (tags.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < tags.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(sanitize(tags.get(i).getKey())).append("=\"").append(escape(tags.get(i).getValue())).append('"');
    }
    return sb.append('}').toString();
  }

  static String sanitize(String name) {
    String s = name.replaceAll("[^a-zA-Z0-9_:]", "_");
    return Character.isDigit(s.charAt(0)) ? "_" + s : s;
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) v);
    }
    return Double.toString(v);
  }
}
