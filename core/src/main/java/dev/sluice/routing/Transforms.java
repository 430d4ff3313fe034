package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import dev.sluice.spi.Rule;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in transformations, as Java factories and from their configuration form ({@link
 * #fromSpec}). Every transformation is copy-on-write: it never changes the record it is given.
 *
 * <p>Configuration form (one key per step):
 *
 * <pre>
 * - set:       { path: $.tier, value: enterprise }       # or value: "{{$.first}} {{$.last}}"
 * - copy:      { from: $.a, to: $.b }
 * - rename:    { from: $.a, to: $.b }                    # alias: move
 * - remove:    [ $.password, $.internal ]
 * - keep:      [ $.id, $.amount ]                        # keep only these
 * - default:   { path: $.currency, value: EUR }          # when missing or null
 * - cast:      { path: $.amount, to: number }            # string | number | boolean | timestamp
 * - date:      { path: $.created, from: "dd.MM.yyyy HH:mm", zone: Europe/Berlin, to: iso }
 * - lower:     $.email                                   # also upper, trim; a path or a list
 * - flatten:   { separator: "." }                        # and unflatten
 * - split:     $.items                                   # one record per element
 * - filter:    { path: $.items, when: "@.quantity > 0" } # keep matching array items
 * - custom:    { type: my-step, option: ... }            # a RuleProvider plugin
 * </pre>
 *
 * Thread-safe: every transformation is immutable.
 */
public final class Transforms {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*(.+?)\\s*}}");

  private Transforms() {}

  // --- Java factories ------------------------------------------------------------------------

  /**
   * Sets a literal value.
   *
   * @param path the definite path to write, e.g. {@code $.tier}
   * @param value the value to write (copied into each record; not null)
   * @return the step
   */
  public static InPlaceTransform set(String path, JsonNode value) {
    return new SetValue(JsonPathExpression.compileWritable(path), Objects.requireNonNull(value), null, false);
  }

  /**
   * Sets a text built from a template: {@code "{{$.first}} {{$.last}}"}.
   *
   * @param path the definite path to write
   * @param template the template; {@code {{path}}} placeholders are replaced by the values found at
   *     those paths
   * @param paths the cache to compile the placeholder paths with
   * @return the step
   */
  public static InPlaceTransform setTemplate(String path, String template, PathCache paths) {
    return new SetValue(JsonPathExpression.compileWritable(path), null, Template.parse(template, paths), false);
  }

  /**
   * Sets a literal value where the path is missing or null.
   *
   * @param path the definite path to write
   * @param value the value to write (not null)
   * @return the step
   */
  public static InPlaceTransform defaultValue(String path, JsonNode value) {
    return new SetValue(JsonPathExpression.compileWritable(path), Objects.requireNonNull(value), null, true);
  }

  /**
   * Copies the value at {@code from} to {@code to} (a deep copy). A definite {@code from} that is
   * missing changes nothing; an indefinite one copies the array of its matches.
   *
   * @param from the path to read (may be indefinite; compiled through {@code paths})
   * @param to the definite path to write
   * @param paths the cache to compile {@code from} with
   * @return the step
   */
  public static InPlaceTransform copy(String from, String to, PathCache paths) {
    return new Copy(paths.get(from), JsonPathExpression.compileWritable(to), false);
  }

  /**
   * Moves the value at {@code from} to {@code to}; does nothing when {@code from} is missing.
   *
   * @param from the definite path to remove the value from
   * @param to the definite path to write it to
   * @return the step
   */
  public static InPlaceTransform rename(String from, String to) {
    return new Copy(JsonPathExpression.compileWritable(from), JsonPathExpression.compileWritable(to), true);
  }

  /**
   * Removes the given paths; missing ones are ignored.
   *
   * @param paths the definite paths to remove
   * @return the step
   */
  public static InPlaceTransform remove(List<String> paths) {
    return new Remove(paths.stream().map(JsonPathExpression::compileWritable).toList());
  }

  /**
   * Keeps only the given paths (at their places); everything else is dropped.
   *
   * @param paths the definite paths to keep; missing ones are not created
   * @return the step
   */
  public static InPlaceTransform keep(List<String> paths) {
    return new Keep(paths.stream().map(JsonPathExpression::compileWritable).toList());
  }

  /** The types {@link #cast} converts to. */
  public enum CastType {
    /** To text; objects and arrays become their JSON text. */
    STRING,
    /** To a number; text must hold a number. */
    NUMBER,
    /** To a boolean; text may be true/false, yes/no, y/n or 1/0. */
    BOOLEAN,
    /** To ISO-8601 UTC text, from epoch milliseconds (or seconds) or ISO text. */
    TIMESTAMP
  }

  /**
   * Converts a value; timestamps from epoch milliseconds (or seconds) or ISO text to ISO UTC.
   *
   * @param path the definite path of the value; a missing or null value is left alone
   * @param to the type to convert to
   * @param epochSeconds for {@link CastType#TIMESTAMP}: numbers are epoch seconds, not milliseconds
   * @return the step; applying it throws {@link RoutingException} when the value cannot be
   *     converted
   */
  public static InPlaceTransform cast(String path, CastType to, boolean epochSeconds) {
    return new Cast(JsonPathExpression.compileWritable(path), to, epochSeconds);
  }

  /**
   * Parses and formats a date-time.
   *
   * @param path the definite path of the value
   * @param from {@code iso}, {@code epoch-millis}, {@code epoch-seconds} or a {@link
   *     DateTimeFormatter} pattern
   * @param to the same choices; {@code iso} writes an ISO-8601 instant (UTC) or, with {@code
   *     toZone}, an offset date-time in that zone
   * @param zone the zone of inputs without an offset (default UTC)
   * @param toZone the zone to write in (default: UTC for {@code iso}, {@code zone} for patterns
   *     and {@code date})
   * @return the step
   */
  public static InPlaceTransform date(String path, String from, String to, ZoneId zone, ZoneId toZone) {
    return new DateConvert(JsonPathExpression.compileWritable(path), DateFormat.of(from), DateFormat.of(to),
        zone == null ? ZoneOffset.UTC : zone, toZone);
  }

  /** The text operations of {@link #text}. */
  public enum TextOp {
    /** Lower case (root locale). */
    LOWER,
    /** Upper case (root locale). */
    UPPER,
    /** Strips leading and trailing white space. */
    TRIM
  }

  /**
   * Changes the text at the given paths; values that are not text (or missing) stay as they are.
   *
   * @param op the change
   * @param paths the definite paths to change
   * @return the step
   */
  public static InPlaceTransform text(TextOp op, List<String> paths) {
    return new TextChange(op, paths.stream().map(JsonPathExpression::compileWritable).toList());
  }

  /**
   * Nested objects at {@code path} become {@code a.b.c} keys (arrays too, when asked).
   *
   * @param path the definite path of the object to flatten ({@code $} for the whole record)
   * @param separator joins the key parts
   * @param arrays whether array elements are flattened too (keys {@code a.0}, {@code a.1}, ...)
   * @return the step
   */
  public static InPlaceTransform flatten(String path, String separator, boolean arrays) {
    return new Flatten(JsonPathExpression.compileWritable(path), separator, arrays, false);
  }

  /**
   * {@code a.b.c} keys at {@code path} become nested objects.
   *
   * @param path the definite path of the object to unflatten
   * @param separator splits the keys
   * @return the step
   */
  public static InPlaceTransform unflatten(String path, String separator) {
    return new Flatten(JsonPathExpression.compileWritable(path), separator, false, true);
  }

  /**
   * One record per element of the array at {@code path}, keyed {@code <key>#<index>}.
   *
   * @param path the definite path of the array
   * @return the step
   */
  public static Transform split(String path) {
    return new Split(JsonPathExpression.compileWritable(path));
  }

  /**
   * Keeps the items of the array at {@code path} for which {@code when} holds ({@code @} is the
   * item).
   *
   * @param path the definite path of the array
   * @param when the condition, in the {@link Conditions} syntax
   * @param paths the cache to compile the condition's paths with
   * @return the step
   * @throws ConditionSyntaxException when {@code when} is not a valid condition
   */
  public static InPlaceTransform filter(String path, String when, PathCache paths) {
    return new FilterItems(JsonPathExpression.compileWritable(path), Conditions.compile(when, paths));
  }

  /**
   * A custom step from a {@link dev.sluice.spi.RuleProvider} plugin, bound when Sluice is built.
   *
   * @param type the plugin's type name
   * @param options the plugin's options; null means none (copied)
   * @return the unbound step
   */
  public static Transform custom(String type, ObjectNode options) {
    return new CustomStep(type, options == null ? F.objectNode() : options.deepCopy(), null);
  }

  /**
   * A custom step from a rule instance.
   *
   * @param rule the rule to apply (not null)
   * @return the bound step
   */
  public static Transform custom(Rule rule) {
    return new CustomStep(rule.getClass().getName(), F.objectNode(), Objects.requireNonNull(rule));
  }

  // --- configuration form --------------------------------------------------------------------

  /**
   * Builds a transformation from its configuration form (see the class comment).
   *
   * @param step the step: an object with one key, the operation
   * @param paths the cache to compile paths with
   * @return the step
   * @throws IllegalArgumentException naming the step and what is wrong
   */
  public static Transform fromSpec(JsonNode step, PathCache paths) {
    if (!step.isObject() || step.size() != 1) {
      throw new IllegalArgumentException("a transform step is an object with one key, the operation"
          + " (set, copy, rename, remove, keep, default, cast, date, lower, upper, trim, flatten,"
          + " unflatten, split, filter, custom)");
    }
    String op = step.fieldNames().next();
    JsonNode v = step.get(op);
    try {
      switch (op) {
        case "set": {
          String path = text(v, "path", op);
          JsonNode value = required(v, "value", op);
          if (value.isTextual() && value.textValue().contains("{{")) {
            return setTemplate(path, value.textValue(), paths);
          }
          return set(path, value);
        }
        case "default":
          return defaultValue(text(v, "path", op), required(v, "value", op));
        case "copy":
          return copy(text(v, "from", op), text(v, "to", op), paths);
        case "rename":
        case "move":
          return rename(text(v, "from", op), text(v, "to", op));
        case "remove":
          return remove(pathList(v, op));
        case "keep":
          return keep(pathList(v, op));
        case "cast": {
          String to = text(v, "to", op);
          CastType type = enumOf(CastType.class, to, op, "to");
          String unit = v.path("unit").asText("millis");
          if (!unit.equals("millis") && !unit.equals("seconds")) {
            throw new IllegalArgumentException("'unit' must be millis or seconds, got '" + unit + "'");
          }
          return cast(text(v, "path", op), type, unit.equals("seconds"));
        }
        case "date":
          return date(text(v, "path", op), v.path("from").asText("iso"), v.path("to").asText("iso"),
              zone(v, "zone"), zone(v, "toZone"));
        case "lower":
        case "upper":
        case "trim":
          return text(TextOp.valueOf(op.toUpperCase(Locale.ROOT)), pathList(v, op));
        case "flatten":
        case "unflatten": {
          JsonNode opts = v.isObject() ? v : F.objectNode();
          String path = opts.path("path").asText("$");
          String separator = opts.path("separator").asText(".");
          if (separator.isEmpty()) {
            throw new IllegalArgumentException("'separator' must not be empty");
          }
          return op.equals("flatten")
              ? flatten(path, separator, opts.path("arrays").asBoolean(false))
              : unflatten(path, separator);
        }
        case "split":
          return split(v.isTextual() ? v.textValue() : text(v, "path", op));
        case "filter":
          return filter(text(v, "path", op), text(v, "when", op), paths);
        case "custom": {
          if (v.isTextual()) {
            return custom(v.textValue(), null);
          }
          String type = text(v, "type", op);
          ObjectNode options = ((ObjectNode) v).deepCopy();
          options.remove("type");
          return custom(type, options);
        }
        default:
          throw new IllegalArgumentException("unknown transform '" + op + "' (expected set, copy,"
              + " rename, remove, keep, default, cast, date, lower, upper, trim, flatten, unflatten,"
              + " split, filter or custom)");
      }
    } catch (ConditionSyntaxException e) {
      throw e.in("transform '" + op + "'");
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new IllegalArgumentException(m.startsWith("transform '") || m.startsWith("unknown transform")
          ? m : "transform '" + op + "': " + m, e);
    }
  }

  private static JsonNode required(JsonNode v, String field, String op) {
    JsonNode n = v.get(field);
    if (n == null) {
      throw new IllegalArgumentException("'" + field + "' is required");
    }
    return n;
  }

  private static String text(JsonNode v, String field, String op) {
    JsonNode n = v.get(field);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' is required (a string)");
    }
    return n.textValue();
  }

  private static List<String> pathList(JsonNode v, String op) {
    List<String> out = new ArrayList<>();
    if (v.isTextual()) {
      out.add(v.textValue());
    } else if (v.isArray() && v.size() > 0) {
      for (JsonNode p : v) {
        if (!p.isTextual()) {
          throw new IllegalArgumentException("expected a list of paths, found " + p);
        }
        out.add(p.textValue());
      }
    } else {
      throw new IllegalArgumentException("expected a path or a non-empty list of paths");
    }
    return out;
  }

  private static <E extends Enum<E>> E enumOf(Class<E> type, String value, String op, String field) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw new IllegalArgumentException("'" + field + "' must be one of " + String.join(", ", names) + ", got '" + value + "'");
  }

  private static ZoneId zone(JsonNode v, String field) {
    JsonNode n = v.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    try {
      return ZoneId.of(n.asText());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("'" + field + "' is not a time zone: '" + n.asText() + "' (use e.g. Europe/Berlin)");
    }
  }

  // --- implementations -----------------------------------------------------------------------

  /** Text with {{path}} placeholders. */
  static final class Template {
    final List<Object> parts; // String or JsonPathExpression

    private Template(List<Object> parts) {
      this.parts = parts;
    }

    static Template parse(String template, PathCache paths) {
      List<Object> parts = new ArrayList<>();
      Matcher m = PLACEHOLDER.matcher(template);
      int last = 0;
      while (m.find()) {
        if (m.start() > last) {
          parts.add(template.substring(last, m.start()));
        }
        parts.add(paths.get(m.group(1)));
        last = m.end();
      }
      if (last < template.length()) {
        parts.add(template.substring(last));
      }
      return new Template(List.copyOf(parts));
    }

    JsonNode render(JsonNode root) {
      if (parts.size() == 1 && parts.get(0) instanceof JsonPathExpression) {
        JsonNode v = ((JsonPathExpression) parts.get(0)).evaluate(root);
        return v == null ? F.nullNode() : v.deepCopy();
      }
      StringBuilder sb = new StringBuilder();
      for (Object p : parts) {
        if (p instanceof String) {
          sb.append((String) p);
        } else {
          JsonNode v = ((JsonPathExpression) p).evaluate(root);
          if (v != null && !v.isNull()) {
            sb.append(v.isTextual() ? v.textValue() : v.isBigDecimal() ? v.decimalValue().toPlainString() : v.toString());
          }
        }
      }
      return F.textNode(sb.toString());
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      parts.forEach(p -> sb.append(p instanceof String ? p : "{{" + p + "}}"));
      return sb.toString();
    }
  }

  static final class SetValue implements InPlaceTransform {
    final JsonPathExpression.Definite path;
    final JsonNode value;
    final Template template;
    final boolean onlyIfMissing;

    SetValue(JsonPathExpression.Definite path, JsonNode value, Template template, boolean onlyIfMissing) {
      this.path = path;
      this.value = value == null ? null : value.deepCopy();
      this.template = template;
      this.onlyIfMissing = onlyIfMissing;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      if (onlyIfMissing) {
        JsonNode current = path.evaluate(data);
        if (current != null && !current.isNull()) {
          return;
        }
      }
      path.set(data, template != null ? template.render(data) : value.deepCopy());
    }

    @Override
    public String toString() {
      return (onlyIfMissing ? "default " : "set ") + path + " = " + (template != null ? "\"" + template + "\"" : value);
    }
  }

  static final class Copy implements InPlaceTransform {
    final JsonPathExpression from;
    final JsonPathExpression.Definite to;
    final boolean move;

    Copy(JsonPathExpression from, JsonPathExpression.Definite to, boolean move) {
      this.from = from;
      this.to = to;
      this.move = move;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      JsonNode v = move ? ((JsonPathExpression.Definite) from).remove(data) : from.evaluate(data);
      if (v != null) {
        to.set(data, move ? v : v.deepCopy());
      }
    }

    @Override
    public String toString() {
      return (move ? "rename " : "copy ") + from + " -> " + to;
    }
  }

  static final class Remove implements InPlaceTransform {
    final List<JsonPathExpression.Definite> paths;

    Remove(List<JsonPathExpression.Definite> paths) {
      this.paths = paths;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      for (JsonPathExpression.Definite p : paths) {
        p.remove(data);
      }
    }

    @Override
    public String toString() {
      return "remove " + paths;
    }
  }

  static final class Keep implements InPlaceTransform {
    final List<JsonPathExpression.Definite> paths;

    Keep(List<JsonPathExpression.Definite> paths) {
      this.paths = paths;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      ObjectNode kept = F.objectNode();
      for (JsonPathExpression.Definite p : paths) {
        JsonNode v = p.evaluate(data);
        if (v != null) {
          p.set(kept, v);
        }
      }
      data.removeAll();
      data.setAll(kept);
    }

    @Override
    public String toString() {
      return "keep " + paths;
    }
  }

  static final class Cast implements InPlaceTransform {
    final JsonPathExpression.Definite path;
    final CastType to;
    final boolean epochSeconds;

    Cast(JsonPathExpression.Definite path, CastType to, boolean epochSeconds) {
      this.path = path;
      this.to = to;
      this.epochSeconds = epochSeconds;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      JsonNode v = path.evaluate(data);
      if (v == null || v.isNull()) {
        return;
      }
      path.set(data, convert(v));
    }

    private JsonNode convert(JsonNode v) {
      switch (to) {
        case STRING:
          if (v.isContainerNode()) {
            return F.textNode(v.toString());
          }
          return F.textNode(v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText());
        case NUMBER:
          if (v.isNumber()) {
            return v;
          }
          if (v.isTextual()) {
            BigDecimal n = Values.asNumber(v.textValue());
            if (n != null) {
              return n.scale() <= 0 && n.precision() - n.scale() < 19 ? F.numberNode(n.longValueExact()) : F.numberNode(n);
            }
          }
          throw fail(v, "a number");
        case BOOLEAN:
          if (v.isBoolean()) {
            return v;
          }
          String s = v.isValueNode() ? v.asText().strip().toLowerCase(Locale.ROOT) : "";
          switch (s) {
            case "true":
            case "yes":
            case "y":
            case "1":
              return F.booleanNode(true);
            case "false":
            case "no":
            case "n":
            case "0":
              return F.booleanNode(false);
            default:
              throw fail(v, "a boolean (true/false, yes/no, 1/0)");
          }
        default:
          if (v.isIntegralNumber()) {
            long n = v.longValue();
            try {
              return F.textNode((epochSeconds ? Instant.ofEpochSecond(n) : Instant.ofEpochMilli(n)).toString());
            } catch (DateTimeException e) {
              throw fail(v, "an epoch " + (epochSeconds ? "second" : "millisecond") + " within the range of dates");
            }
          }
          if (v.isTextual()) {
            Instant i = Values.asInstant(v.textValue());
            if (i != null) {
              return F.textNode(i.toString());
            }
          }
          throw fail(v, "a timestamp (epoch " + (epochSeconds ? "seconds" : "milliseconds") + " or ISO-8601)");
      }
    }

    private RoutingException fail(JsonNode v, String what) {
      return new RoutingException("cast " + path + " to " + to.name().toLowerCase(Locale.ROOT) + ": "
          + Values.describe(v) + " is not " + what);
    }

    @Override
    public String toString() {
      return "cast " + path + " to " + to.name().toLowerCase(Locale.ROOT);
    }
  }

  /** A date representation: ISO, epoch millis/seconds, or a pattern. */
  static final class DateFormat {
    final String name;
    final DateTimeFormatter pattern;

    private DateFormat(String name, DateTimeFormatter pattern) {
      this.name = name;
      this.pattern = pattern;
    }

    static DateFormat of(String spec) {
      switch (spec) {
        case "iso":
        case "epoch-millis":
        case "epoch-seconds":
        case "date":
          return new DateFormat(spec, null);
        default:
          DateTimeFormatter pattern;
          try {
            pattern = DateTimeFormatter.ofPattern(spec, Locale.ROOT);
          } catch (RuntimeException e) {
            // IllegalArgumentException, and for some patterns (a pad 'p' before certain letters) a
            // ClassCastException from inside the JDK's pattern parser.
            throw new IllegalArgumentException("'" + spec + "' is neither iso, epoch-millis, epoch-seconds,"
                + " date nor a valid date pattern: "
                + (e instanceof IllegalArgumentException ? e.getMessage() : "the JDK refuses it (" + e + ")"));
          }
          try {
            pattern.format(Instant.EPOCH.atZone(ZoneOffset.UTC));
          } catch (IndexOutOfBoundsException e) {
            // The JDK's printer fails on every value for some widths (a year of 11 to 18 letters):
            // refused here rather than failing every record (a fuzz finding).
            throw new IllegalArgumentException("'" + spec + "' is not a date pattern Java can write: a number field"
                + " is wider than it supports (at most 10 letters for a year)");
          } catch (DateTimeException e) {
            // Fields this probe lacks (e.g. a zone name for a value written without a zone) are the
            // value's business, decided per record.
          }
          return new DateFormat(spec, pattern);
      }
    }

    Instant parse(JsonNode v, ZoneId zone) {
      if (name.equals("epoch-millis") || name.equals("epoch-seconds")) {
        long n;
        if (v.isIntegralNumber()) {
          n = v.longValue();
        } else if (v.isTextual() && v.textValue().strip().matches("-?\\d+")) {
          n = Long.parseLong(v.textValue().strip());
        } else {
          throw new RoutingException(Values.describe(v) + " is not epoch " + name.substring(6));
        }
        try {
          return name.equals("epoch-millis") ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
        } catch (DateTimeException e) {
          throw new RoutingException(n + " is out of the range of epoch " + name.substring(6));
        }
      }
      if (!v.isTextual()) {
        throw new RoutingException(Values.describe(v) + " is not a date text");
      }
      String s = v.textValue().strip();
      if (pattern == null) {
        if (s.length() == 10) {
          try {
            return LocalDate.parse(s).atStartOfDay(zone).toInstant();
          } catch (DateTimeException e) {
            throw new RoutingException("'" + s + "' is not an ISO-8601 date: " + e.getMessage());
          }
        }
        Instant i = Values.asInstant(s);
        if (i == null) {
          throw new RoutingException("'" + s + "' is not an ISO-8601 date-time");
        }
        if (s.charAt(s.length() - 1) != 'Z' && s.lastIndexOf('+') < 10 && s.lastIndexOf('-') < 10) {
          // no offset written: the value is local time in `zone`
          return LocalDateTime.parse(s).atZone(zone).toInstant();
        }
        return i;
      }
      try {
        TemporalAccessor t = pattern.parse(s);
        if (t.isSupported(ChronoField.OFFSET_SECONDS)) {
          return ZonedDateTime.from(t).toInstant();
        }
        if (t.isSupported(ChronoField.HOUR_OF_DAY)) {
          return LocalDateTime.from(t).atZone(zone).toInstant();
        }
        return LocalDate.from(t).atStartOfDay(zone).toInstant();
      } catch (DateTimeException e) {
        throw new RoutingException("'" + s + "' does not match the date pattern '" + name + "'");
      }
    }

    JsonNode format(Instant instant, ZoneId zone) {
      try {
        return formatOrThrow(instant, zone);
      } catch (DateTimeException | ArithmeticException | IndexOutOfBoundsException e) {
        // The value decides: a pattern's pad width too narrow for this year, an instant out of a
        // representable range (and the JDK printer's index bug for wide fields, should a pattern
        // reach it that the check in of() let through). A failure on this record, not a bug of the step.
        throw new RoutingException(instant + " cannot be written as '" + name + "': " + e.getMessage());
      }
    }

    private JsonNode formatOrThrow(Instant instant, ZoneId zone) {
      switch (name) {
        case "epoch-millis":
          return F.numberNode(instant.toEpochMilli());
        case "epoch-seconds":
          return F.numberNode(instant.getEpochSecond());
        case "iso":
          return F.textNode(zone == null ? instant.toString()
              : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atZone(zone)));
        case "date":
          return F.textNode(LocalDate.ofInstant(instant, zone == null ? ZoneOffset.UTC : zone).toString());
        default:
          return F.textNode(pattern.format(instant.atZone(zone == null ? ZoneOffset.UTC : zone)));
      }
    }
  }

  static final class DateConvert implements InPlaceTransform {
    final JsonPathExpression.Definite path;
    final DateFormat from;
    final DateFormat to;
    final ZoneId zone;
    final ZoneId toZone;

    DateConvert(JsonPathExpression.Definite path, DateFormat from, DateFormat to, ZoneId zone, ZoneId toZone) {
      this.path = path;
      this.from = from;
      this.to = to;
      this.zone = zone;
      this.toZone = toZone;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      JsonNode v = path.evaluate(data);
      if (v == null || v.isNull()) {
        return;
      }
      Instant instant;
      JsonNode converted;
      try {
        instant = from.parse(v, zone);
        // ISO output is a UTC instant unless a zone to write in is given; patterns write local time.
        ZoneId out = toZone != null ? toZone : to.name.equals("iso") ? null : zone;
        converted = to.format(instant, out);
      } catch (RoutingException e) {
        throw new RoutingException("date " + path + ": " + e.getMessage(), e);
      } catch (DateTimeException | ArithmeticException e) {
        // a value at the edge of what java.time represents; the record's problem, not the step's
        throw new RoutingException("date " + path + ": " + Values.describe(v) + " cannot be converted: " + e.getMessage(), e);
      }
      path.set(data, converted);
    }

    @Override
    public String toString() {
      return "date " + path + " from " + from.name + " to " + to.name + (toZone != null ? " in " + toZone : "");
    }
  }

  static final class TextChange implements InPlaceTransform {
    final TextOp op;
    final List<JsonPathExpression.Definite> paths;

    TextChange(TextOp op, List<JsonPathExpression.Definite> paths) {
      this.op = op;
      this.paths = paths;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      for (JsonPathExpression.Definite p : paths) {
        JsonNode v = p.evaluate(data);
        if (v == null || !v.isTextual()) {
          continue; // only text changes; numbers and missing values stay as they are
        }
        String s = v.textValue();
        p.set(data, F.textNode(op == TextOp.LOWER ? s.toLowerCase(Locale.ROOT)
            : op == TextOp.UPPER ? s.toUpperCase(Locale.ROOT) : s.strip()));
      }
    }

    @Override
    public String toString() {
      return op.name().toLowerCase(Locale.ROOT) + " " + paths;
    }
  }

  static final class Flatten implements InPlaceTransform {
    final JsonPathExpression.Definite path;
    final String separator;
    final boolean arrays;
    final boolean inverse;

    Flatten(JsonPathExpression.Definite path, String separator, boolean arrays, boolean inverse) {
      this.path = path;
      this.separator = separator;
      this.arrays = arrays;
      this.inverse = inverse;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      JsonNode target = path.evaluate(data);
      if (!(target instanceof ObjectNode)) {
        return;
      }
      ObjectNode object = (ObjectNode) target;
      ObjectNode result = F.objectNode();
      if (inverse) {
        for (Map.Entry<String, JsonNode> e : object.properties()) {
          String[] parts = e.getKey().split(Pattern.quote(separator), -1);
          ObjectNode node = result;
          for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
              if (child != null) {
                throw new RoutingException("unflatten " + path + ": '" + e.getKey() + "' collides with the value at '"
                    + String.join(separator, List.of(parts).subList(0, i + 1)) + "'");
              }
              child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
          }
          if (node.has(parts[parts.length - 1])) {
            throw new RoutingException("unflatten " + path + ": '" + e.getKey() + "' collides with another key");
          }
          node.set(parts[parts.length - 1], e.getValue());
        }
      } else {
        flattenInto(result, "", object);
      }
      object.removeAll();
      object.setAll(result);
    }

    private void flattenInto(ObjectNode out, String prefix, JsonNode node) {
      if (node.isObject() && node.size() > 0) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          flattenInto(out, prefix.isEmpty() ? e.getKey() : prefix + separator + e.getKey(), e.getValue());
        }
      } else if (arrays && node.isArray() && node.size() > 0) {
        for (int i = 0; i < node.size(); i++) {
          flattenInto(out, prefix + separator + i, node.get(i));
        }
      } else {
        out.set(prefix, node);
      }
    }

    @Override
    public String toString() {
      return (inverse ? "unflatten " : "flatten ") + path + " with '" + separator + "'";
    }
  }

  static final class Split implements Transform {
    final JsonPathExpression.Definite path;

    Split(JsonPathExpression.Definite path) {
      this.path = path;
    }

    @Override
    public List<Record> apply(Record record) {
      JsonNode v = path.evaluate(record.data());
      if (v == null || v.isNull()) {
        return List.of(record);
      }
      if (!v.isArray()) {
        throw new RoutingException("split " + path + ": expected an array, found " + Values.describe(v));
      }
      List<Record> out = new ArrayList<>(v.size());
      for (int i = 0; i < v.size(); i++) {
        ObjectNode copy = record.data().deepCopy();
        path.set(copy, v.get(i).deepCopy());
        out.add(record.withData(copy).withKey(record.key() + "#" + i));
      }
      return out;
    }

    @Override
    public String toString() {
      return "split " + path;
    }
  }

  static final class FilterItems implements InPlaceTransform {
    final JsonPathExpression.Definite path;
    final CompiledCondition when;

    FilterItems(JsonPathExpression.Definite path, CompiledCondition when) {
      this.path = path;
      this.when = when;
    }

    @Override
    public void applyInPlace(ObjectNode data, Record record) {
      JsonNode v = path.evaluate(data);
      if (v == null || v.isNull()) {
        return;
      }
      if (!v.isArray()) {
        throw new RoutingException("filter " + path + ": expected an array, found " + Values.describe(v));
      }
      ArrayNode kept = F.arrayNode();
      for (JsonNode item : v) {
        if (when.testValue(item, record)) {
          kept.add(item);
        }
      }
      path.set(data, kept);
    }

    @Override
    public String toString() {
      return "filter " + path + " where " + when.source();
    }
  }

  /** A plugin step; unbound until Sluice resolves its type. */
  public static final class CustomStep implements Transform {
    final String type;
    final ObjectNode options;
    final Rule rule;

    CustomStep(String type, ObjectNode options, Rule rule) {
      this.type = type;
      this.options = options;
      this.rule = rule;
    }

    /**
     * This step bound to a plugin instance (itself when already bound).
     *
     * @param resolver resolves the plugin type to a rule instance
     * @return the bound step
     */
    public CustomStep bind(RuleResolver resolver) {
      return rule != null ? this : new CustomStep(type, options, resolver.resolve(type, options.deepCopy()));
    }

    @Override
    public List<Record> apply(Record record) {
      if (rule == null) {
        throw new IllegalStateException("custom step '" + type + "' was not bound to a plugin");
      }
      try {
        return Objects.requireNonNull(rule.apply(record), "custom step returned null");
      } catch (RoutingException e) {
        throw e;
      } catch (Exception e) {
        throw new RoutingException("custom step '" + type + "' failed: " + e, e);
      }
    }

    @Override
    public String toString() {
      return "custom " + type;
    }
  }
}
