package dev.sluice.destinations.prometheus.internal;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Prometheus naming rules, checked when a configuration loads.
 *
 * <p>See the Prometheus data model ("Metric names and labels"): metric names match {@code
 * [a-zA-Z_:][a-zA-Z0-9_:]*}, label names {@code [a-zA-Z_][a-zA-Z0-9_]*}, and names starting with
 * {@code __} are reserved for Prometheus' internal use. Colons are reserved for recording rules,
 * so an exporter does not use them. Stateless and thread-safe.
 */
public final class Naming {
  static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  static final Pattern UNIT = Pattern.compile("[a-zA-Z0-9_]+");

  private Naming() {}

  /** Null when {@code name} is a usable metric name, else what is wrong with it. */
  public static String metricNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "a metric name must not be empty";
    }
    if (!METRIC_NAME.matcher(name).matches()) {
      return "'" + name + "' is not a valid Prometheus metric name: use letters, digits and '_',"
          + " not starting with a digit (pattern [a-zA-Z_:][a-zA-Z0-9_:]*)";
    }
    if (name.startsWith("__")) {
      return "'" + name + "': metric names starting with '__' are reserved for Prometheus' internal use";
    }
    if (name.indexOf(':') >= 0) {
      return "'" + name + "': colons in metric names are reserved for recording rules; exporters"
          + " must not use them (use '_')";
    }
    return null;
  }

  /** Null when {@code name} is a usable label name, else what is wrong with it. */
  public static String labelNameProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "a label name must not be empty";
    }
    if (!LABEL_NAME.matcher(name).matches()) {
      return "'" + name + "' is not a valid Prometheus label name: use letters, digits and '_',"
          + " not starting with a digit (pattern [a-zA-Z_][a-zA-Z0-9_]*)";
    }
    if (name.startsWith("__")) {
      return "'" + name + "': label names starting with '__' are reserved for Prometheus' internal use";
    }
    return null;
  }

  /** Null when {@code unit} is a usable unit, else what is wrong with it. */
  public static String unitProblem(String unit) {
    if (!UNIT.matcher(unit).matches()) {
      return "unit '" + unit + "' must be letters, digits and '_' only, such as seconds or bytes";
    }
    if (unit.startsWith("_") || unit.endsWith("_")) {
      return "unit '" + unit + "' must not start or end with '_'";
    }
    String lower = unit.toLowerCase(Locale.ROOT);
    if (lower.equals("total") || lower.equals("created") || lower.equals("bucket") || lower.equals("info")) {
      return "unit '" + unit + "' is a reserved suffix, not a unit";
    }
    return null;
  }
}
