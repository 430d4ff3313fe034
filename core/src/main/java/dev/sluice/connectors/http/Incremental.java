package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.FieldPath;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Incremental sync: the records' cursor field (a timestamp or a number), the highest value seen
 * kept in the checkpoint, and the value a read starts from written into the request.
 *
 * <p>Resuming from a checkpoint that holds {@code cursor = c}: the request carries {@code c} (minus
 * {@code lookback}); records below it are dropped (in case the API ignores the filter), and
 * without lookback so are records exactly at {@code c} whose keys the checkpoint lists as already
 * emitted ({@code atCursor}, at most {@value #MAX_KEYS_AT_CURSOR}) — so an API that filters with
 * {@code >=} gives neither duplicates nor loses records that share the last timestamp. With a
 * lookback, the margin is read and emitted again on purpose; the record key makes that harmless.
 *
 * <p>Immutable and thread-safe; {@link #begin} makes the per-stream state.
 */
final class Incremental {
  static final int MAX_KEYS_AT_CURSOR = 1000;

  enum Type {
    TIMESTAMP,
    NUMBER
  }

  final FieldPath field;
  final Type type;
  final String param; // null: a template uses {cursor}
  final String format; // iso, epoch, epoch-millis, or a pattern
  private final DateTimeFormatter pattern;
  final Template start; // null: from the beginning
  final Duration lookback;
  final boolean sorted;
  private final ZoneId zone;

  Incremental(FieldPath field, Type type, String param, String format, Template start, Duration lookback,
      boolean sorted, ZoneId zone) {
    this.field = field;
    this.type = type;
    this.param = param;
    this.format = format;
    this.start = start;
    this.lookback = lookback;
    this.sorted = sorted;
    this.zone = zone;
    if (type == Type.TIMESTAMP && !java.util.List.of("iso", "epoch", "epoch-millis").contains(format)) {
      try {
        this.pattern = DatePatterns.compile(format, zone);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("incremental.format: " + e.getMessage());
      }
    } else {
      this.pattern = null;
    }
    if (type == Type.NUMBER && !lookback.isZero()) {
      throw new IllegalArgumentException("incremental.lookback applies to timestamps only (type: number)");
    }
  }

  /**
   * A value as a comparable: an {@link Instant} or a {@link BigDecimal}; null when missing or
   * unreadable.
   */
  Comparable<?> parse(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode() || v.isContainerNode()) {
      return null;
    }
    if (type == Type.NUMBER) {
      if (v.isNumber()) {
        return v.decimalValue();
      }
      try {
        return new BigDecimal(v.asText().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    String text = v.asText().trim();
    try {
      switch (format) {
        case "epoch":
          return Instant.ofEpochMilli(new BigDecimal(text).movePointRight(3).longValue());
        case "epoch-millis":
          return Instant.ofEpochMilli(new BigDecimal(text).longValue());
        default:
          return DatePatterns.parse(text, pattern, zone); // pattern null for iso
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // not epoch numbers: maybe ISO, so that start: "{now-30d}" works with any format
      try {
        return DatePatterns.parse(text, null, zone);
      } catch (DateTimeException again) {
        return null;
      }
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** How a value is written into requests. */
  String format(Comparable<?> value) {
    if (value instanceof BigDecimal d) {
      return d.stripTrailingZeros().toPlainString();
    }
    Instant i = (Instant) value;
    switch (format) {
      case "epoch":
        return Long.toString(i.getEpochSecond());
      case "epoch-millis":
        return Long.toString(i.toEpochMilli());
      case "iso":
        return DateTimeFormatter.ISO_INSTANT.format(i);
      default:
        return pattern.format(i);
    }
  }

  /** How a value is kept in the checkpoint: an ISO instant, or a JSON number. */
  JsonNode stored(Comparable<?> value) {
    return value instanceof BigDecimal d ? JsonNodeFactory.instance.numberNode(d)
        : JsonNodeFactory.instance.textNode(DateTimeFormatter.ISO_INSTANT.format((Instant) value));
  }

  private Comparable<?> fromStored(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (type == Type.NUMBER) {
      return v.isNumber() ? v.decimalValue() : parse(v);
    }
    try {
      return Instant.parse(v.asText());
    } catch (DateTimeException e) {
      return parse(v);
    }
  }

  /**
   * Where a stream starts.
   *
   * @param state the stream's checkpoint state ({@code cursor}, {@code atCursor}), or null
   * @param startValue the rendered {@code start}, or null
   * @throws IllegalArgumentException when the checkpoint or the start can't be read
   */
  StreamCursor begin(JsonNode state, String startValue) {
    Comparable<?> checkpointed = state == null ? null : fromStored(state.get("cursor"));
    if (state != null && state.hasNonNull("cursor") && checkpointed == null) {
      throw new IllegalArgumentException("the checkpoint's cursor " + state.get("cursor") + " is not a "
          + type.name().toLowerCase(Locale.ROOT) + "; reset the pipeline's checkpoint");
    }
    Set<String> keys = new LinkedHashSet<>();
    if (state != null && state.get("atCursor") instanceof ArrayNode a) {
      a.forEach(k -> keys.add(k.asText()));
    }
    Comparable<?> startAt = null;
    if (startValue != null) {
      startAt = parse(JsonNodeFactory.instance.textNode(startValue));
      if (startAt == null) {
        throw new IllegalArgumentException("incremental.start '" + startValue + "' is not a "
            + (type == Type.NUMBER ? "number" : "timestamp in format " + format));
      }
    }
    Comparable<?> lower = checkpointed;
    if (lower instanceof Instant i && !lookback.isZero()) {
      lower = i.minus(lookback);
    }
    if (startAt != null && (lower == null || compare(startAt, lower) > 0)) {
      lower = startAt;
    }
    boolean dedupe = checkpointed != null && lookback.isZero() && compare(lower, checkpointed) == 0;
    return new StreamCursor(checkpointed, keys, lower, dedupe);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compare(Comparable a, Comparable b) {
    return a.compareTo(b);
  }

  /** One stream's cursor: what to skip, and the highest value emitted so far. Not thread-safe. */
  final class StreamCursor {
    private final Comparable<?> lower;
    private final boolean dedupe;
    private final Set<String> keysAtCheckpoint;
    private Comparable<?> max;
    private final Set<String> atMax = new LinkedHashSet<>();
    private Comparable<?> maxAtLastCheckpoint;
    private boolean changed;
    boolean unsortedSeen;
    boolean missingSeen;

    StreamCursor(Comparable<?> checkpointed, Set<String> keys, Comparable<?> lower, boolean dedupe) {
      this.lower = lower;
      this.dedupe = dedupe;
      this.keysAtCheckpoint = keys;
      this.max = checkpointed;
      // only checkpoints of this read count: records in a lookback margin lie below the old one
      this.maxAtLastCheckpoint = null;
      if (checkpointed != null) {
        atMax.addAll(keys);
      }
    }

    /** What {@code {cursor}} and the cursor parameter carry; null on a first read without start. */
    String requestValue() {
      return lower == null ? null : format(lower);
    }

    /**
     * Whether to emit a record; updates the highest value when it does.
     *
     * @return false when the record lies before where this read starts
     */
    boolean accept(String key, JsonNode record) {
      Comparable<?> v = parse(field.path(record));
      if (v == null) {
        missingSeen = true;
        return true; // a record without a readable cursor is emitted; it can't move the cursor
      }
      if (lower != null) {
        int c = compare(v, lower);
        if (c < 0 || (c == 0 && dedupe && keysAtCheckpoint.contains(key))) {
          return false;
        }
      }
      if (maxAtLastCheckpoint != null && compare(v, maxAtLastCheckpoint) < 0) {
        unsortedSeen = true;
      }
      if (max == null || compare(v, max) > 0) {
        max = v;
        atMax.clear();
        atMax.add(key);
        changed = true;
      } else if (compare(v, max) == 0 && atMax.size() < MAX_KEYS_AT_CURSOR && atMax.add(key)) {
        changed = true;
      }
      return true;
    }

    /** Whether the state moved since the last {@link #writeTo}. */
    boolean changed() {
      return changed;
    }

    /** Writes {@code cursor} and {@code atCursor} into {@code target}. */
    void writeTo(ObjectNode target) {
      if (max == null) {
        return;
      }
      target.set("cursor", stored(max));
      ArrayNode keys = target.putArray("atCursor");
      atMax.forEach(keys::add);
      maxAtLastCheckpoint = max;
      changed = false;
    }
  }
}
