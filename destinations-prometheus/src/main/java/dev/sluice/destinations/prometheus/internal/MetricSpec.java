package dev.sluice.destinations.prometheus.internal;

import dev.sluice.record.FieldPath;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One validated mapping from records to the samples of one metric. Immutable and thread-safe.
 *
 * @param name the metric's base name (a counter's without {@code _total})
 * @param type what kind of metric
 * @param help the HELP text, never null (may be empty)
 * @param unit the unit, or null
 * @param valuePath where the sample value is in a record
 * @param valueText the value path as configured, for messages
 * @param labels the labels taken from records, in configured order
 * @param constLabels labels with a fixed value on every series of this metric
 * @param counterMode how a counter applies a record's value (counters only)
 * @param onDecrease what an absolute counter does with a value lower than its current one
 * @param buckets the upper bounds of a histogram's buckets (histograms only)
 * @param quantiles a summary's quantiles (summaries only)
 */
public record MetricSpec(
    String name,
    Type type,
    String help,
    String unit,
    FieldPath valuePath,
    String valueText,
    List<LabelSpec> labels,
    Map<String, String> constLabels,
    CounterMode counterMode,
    OnDecrease onDecrease,
    double[] buckets,
    double[] quantiles) {

  public MetricSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    labels = List.copyOf(labels);
    constLabels = Map.copyOf(constLabels);
  }

  /** The kinds of metric a record can feed. */
  public enum Type {
    GAUGE, COUNTER, HISTOGRAM, SUMMARY
  }

  /** How a counter applies a record's value. */
  public enum CounterMode {
    /** The record carries the running total: the counter is set to it. */
    ABSOLUTE,
    /** The record carries an increment: it is added; a negative one is refused. */
    DELTA
  }

  /** What an absolute counter does when a record's total is below the counter's value. */
  public enum OnDecrease {
    /** The record is refused (a permanent failure, dead-lettered); the counter keeps its value. */
    REJECT,
    /** The source restarted its count: the counter is set and its created timestamp renewed. */
    RESET
  }

  /**
   * A label taken from records.
   *
   * @param name the label name
   * @param path where its value is
   * @param pathText the path as configured, for messages
   * @param defaultValue the value when the record has none, or null to refuse such records
   */
  public record LabelSpec(String name, FieldPath path, String pathText, String defaultValue) {}

  /** The names this metric occupies in an exposition, to detect collisions between metrics. */
  public Set<String> expositionNames() {
    return switch (type) {
      case GAUGE -> Set.of(name);
      case COUNTER -> Set.of(name, name + "_total", name + "_created");
      case HISTOGRAM -> Set.of(name, name + "_bucket", name + "_count", name + "_sum", name + "_created");
      case SUMMARY -> Set.of(name, name + "_count", name + "_sum", name + "_created");
    };
  }

  public List<String> labelNames() {
    return labels.stream().map(LabelSpec::name).toList();
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "MetricSpec{" + name + " " + type + "}";
  }
}
