package dev.sluice.destinations.prometheus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the samples of a Prometheus text exposition back (what a Pushgateway serves on /metrics). */
record Samples(List<Sample> all) {
  private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\S+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  record Sample(String name, Map<String, String> labels, double value) {}

  static Samples parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        int at = 0;
        while (l.find() && l.start() == at) {
          labels.put(l.group(1), l.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
          at = l.end();
        }
        if (at != m.group(2).length()) {
          throw new AssertionError("bad labels in: " + line);
        }
      }
      String v = m.group(3);
      double value = v.equals("+Inf") ? Double.POSITIVE_INFINITY : v.equals("-Inf") ? Double.NEGATIVE_INFINITY
          : Double.parseDouble(v);
      out.add(new Sample(m.group(1), labels, value));
    }
    return new Samples(out);
  }

  /** The samples named {@code name} whose labels include {@code having}. */
  List<Sample> of(String name, Map<String, String> having) {
    return all.stream().filter(s -> s.name().equals(name))
        .filter(s -> s.labels().entrySet().containsAll(having.entrySet())).toList();
  }

  /** label value of {@code label} -> sample value, for samples named {@code name} having {@code having}. */
  Map<String, Double> byLabel(String name, String label, Map<String, String> having) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Sample s : of(name, having)) {
      out.put(s.labels().get(label), s.value());
    }
    return out;
  }
}
