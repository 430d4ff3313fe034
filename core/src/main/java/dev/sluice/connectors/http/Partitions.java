package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.FieldPath;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAmount;
import java.util.List;

/**
 * Substreams: the source reads one stream per item of a list, each with its own place in the
 * checkpoint. Items come from a fixed list, from a parent request (one per parent record), or are
 * date slices from a start to an end by a step.
 *
 * <p>Immutable and thread-safe.
 */
final class Partitions {
  enum Type {
    LIST,
    REQUEST,
    DATES
  }

  final Type type;
  final List<JsonNode> values; // LIST
  final RequestSpec parent; // REQUEST
  final RecordSelector parentRecords;
  final Pagination parentPagination;
  final FieldPath value; // REQUEST: the partition value in each parent record
  final Template start; // DATES
  final Template end; // DATES; null: now
  final TemporalAmount step;
  final DateTimeFormatter format;
  final Duration lookback;
  private final ZoneId zone;

  private Partitions(Type type, List<JsonNode> values, RequestSpec parent, RecordSelector parentRecords,
      Pagination parentPagination, FieldPath value, Template start, Template end, TemporalAmount step,
      DateTimeFormatter format, Duration lookback, ZoneId zone) {
    this.type = type;
    this.values = values;
    this.parent = parent;
    this.parentRecords = parentRecords;
    this.parentPagination = parentPagination;
    this.value = value;
    this.start = start;
    this.end = end;
    this.step = step;
    this.format = format;
    this.lookback = lookback;
    this.zone = zone;
  }

  static Partitions list(List<JsonNode> values) {
    return new Partitions(Type.LIST, List.copyOf(values), null, null, null, null, null, null, null, null, null, null);
  }

  static Partitions request(RequestSpec parent, RecordSelector records, Pagination pagination, FieldPath value) {
    return new Partitions(Type.REQUEST, null, parent, records, pagination, value, null, null, null, null, null, null);
  }

  static Partitions dates(Template start, Template end, TemporalAmount step, String format, Duration lookback,
      ZoneId zone) {
    DateTimeFormatter f;
    if (format.equals("iso")) {
      f = DateTimeFormatter.ISO_INSTANT.withZone(zone);
    } else if (format.equals("date")) {
      f = DateTimeFormatter.ISO_LOCAL_DATE.withZone(zone);
    } else {
      try {
        f = DatePatterns.compile(format, zone);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("partitions.format: " + e.getMessage());
      }
    }
    return new Partitions(Type.DATES, null, null, null, null, null, start, end, step, f, lookback, zone);
  }

  /** A step such as {@code 1d}, {@code 12h}, {@code 1w}, {@code 1M}, {@code P1M} or {@code PT6H}. */
  static TemporalAmount parseStep(String text) {
    String s = text == null ? "" : text.trim();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*([smhdwMy])").matcher(s);
    TemporalAmount amount = null;
    if (m.matches()) {
      int n = Integer.parseInt(m.group(1));
      switch (m.group(2)) {
        case "s":
          amount = Duration.ofSeconds(n);
          break;
        case "m":
          amount = Duration.ofMinutes(n);
          break;
        case "h":
          amount = Duration.ofHours(n);
          break;
        case "d":
          amount = Period.ofDays(n);
          break;
        case "w":
          amount = Period.ofWeeks(n);
          break;
        case "M":
          amount = Period.ofMonths(n);
          break;
        default:
          amount = Period.ofYears(n);
      }
    } else if (s.startsWith("PT")) {
      try {
        amount = Duration.parse(s);
      } catch (RuntimeException e) {
        amount = null;
      }
    } else if (s.startsWith("P")) {
      try {
        amount = Period.parse(s);
      } catch (RuntimeException e) {
        amount = null;
      }
    }
    if (amount == null || (amount instanceof Duration d && (d.isZero() || d.isNegative()))
        || (amount instanceof Period p && (p.isZero() || p.isNegative()))) {
      throw new IllegalArgumentException("partitions.step must be a positive step such as 1d, 12h, 1w, 1M, P1M or"
          + " PT6H, got '" + text + "'");
    }
    return amount;
  }

  /** Reads a date or date-time as written in {@code start}/{@code end}. */
  Instant instant(String text, String option) {
    try {
      return DatePatterns.parse(text, format, zone);
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("partitions." + option + " '" + text + "' is not a date or date-time"
          + " (e.g. 2024-01-01, 2024-01-01T00:00:00Z)");
    }
  }

  Instant plusStep(Instant t) {
    return t.atZone(zone).plus(step).toInstant();
  }

  Instant minusLookback(Instant t) {
    return t.minus(lookback);
  }

  /** The partition of one date slice. */
  ReadVars.Partition slice(Instant from, Instant to) {
    ObjectNode fields = JsonNodeFactory.instance.objectNode();
    String s = format.format(from);
    fields.put("start", s);
    fields.put("end", format.format(to));
    fields.put("endInclusive", format.format(to.minusNanos(1)));
    return new ReadVars.Partition(s, JsonNodeFactory.instance.textNode(s), fields);
  }
}
