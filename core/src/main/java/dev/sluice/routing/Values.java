package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * How conditions compare JSON values. The rules (also in {@code docs/user-guide/router.md}, and tested as a
 * table):
 *
 * <ol>
 *   <li><b>Missing</b> (the path matches nothing) is not {@code null}. Every comparison with a
 *       missing value is false, except {@code !=} and {@code nin}, which are true. Use {@code
 *       exists(...)} to test presence.
 *   <li><b>Null</b> equals only null; ordering ({@code < <= > >=}) with null is false.
 *   <li><b>Numbers</b> compare by exact decimal value: {@code 1 == 1.0}, {@code 0.1 + 0.2}-style
 *       binary artefacts do not exist because decimals are compared as {@link BigDecimal}.
 *   <li><b>Number vs string</b>: a string that is a JSON number ({@code "12000.50"}, as HubSpot
 *       sends amounts) compares as that number. Any other string: {@code ==} is false, {@code !=}
 *       true, ordering is a type error.
 *   <li><b>Strings</b> compare by code point, case-sensitively. When both are ISO-8601 dates or
 *       date-times ({@code 2026-03-29}, {@code 2026-03-29T01:30:00+01:00}) they compare as instants
 *       (a date is its start of day in UTC; a date-time without offset is UTC).
 *   <li><b>Booleans</b> equal only booleans; ordering with a boolean is a type error.
 *   <li><b>Arrays and objects</b> are equal when structurally equal (numbers by value); ordering is
 *       a type error.
 * </ol>
 *
 * <p>Type errors throw {@link RoutingException}; the pipeline's error policy decides what happens to
 * the record. Stateless and thread-safe.
 */
public final class Values {
  private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");
  private static final Pattern ISO_DATE_START = Pattern.compile("\\d{4}-\\d{2}-\\d{2}.*");

  private Values() {}

  /**
   * Whether two values are equal under the rules above; {@code null} means missing.
   *
   * @param a a value, or null for missing
   * @param b a value, or null for missing
   * @return true when both are present and equal; false when either is missing
   */
  public static boolean equal(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return false;
    }
    if (a.isNull() || b.isNull()) {
      return a.isNull() && b.isNull();
    }
    if (a.isNumber() && b.isNumber()) {
      return compareNumbers(a, b) == 0;
    }
    if (a.isNumber() && b.isTextual()) {
      BigDecimal bb = asNumber(b.textValue());
      return bb != null && decimal(a).compareTo(bb) == 0;
    }
    if (a.isTextual() && b.isNumber()) {
      return equal(b, a);
    }
    if (a.isTextual() && b.isTextual()) {
      String x = a.textValue();
      String y = b.textValue();
      if (x.equals(y)) {
        return true;
      }
      Instant ix = asInstant(x);
      Instant iy = ix == null ? null : asInstant(y);
      return iy != null && ix.equals(iy);
    }
    if (a.isBoolean() || b.isBoolean()) {
      return a.isBoolean() && b.isBoolean() && a.booleanValue() == b.booleanValue();
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!equal(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (var e : a.properties()) {
        if (!equal(e.getValue(), b.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Orders two values: negative, zero or positive.
   *
   * @param a a value, or null for missing
   * @param b a value, or null for missing
   * @return {@link Integer#MIN_VALUE} when either is missing or null (the comparison is false)
   * @throws RoutingException when the types can't be ordered
   */
  public static int compare(JsonNode a, JsonNode b) {
    if (a == null || b == null || a.isNull() || b.isNull()) {
      return Integer.MIN_VALUE;
    }
    if (a.isNumber() && b.isNumber()) {
      return compareNumbers(a, b);
    }
    if (a.isNumber() && b.isTextual()) {
      return decimal(a).compareTo(requireNumber(b, a));
    }
    if (a.isTextual() && b.isNumber()) {
      return requireNumber(a, b).compareTo(decimal(b));
    }
    if (a.isTextual() && b.isTextual()) {
      String x = a.textValue();
      String y = b.textValue();
      Instant ix = asInstant(x);
      Instant iy = ix == null ? null : asInstant(y);
      if (iy != null) {
        return ix.compareTo(iy);
      }
      return x.compareTo(y);
    }
    throw new RoutingException("cannot order " + describe(a) + " and " + describe(b));
  }

  /** The ordering test of {@code op} ({@code < <= > >=}) given {@link #compare}'s result. */
  static boolean ordered(String op, int cmp) {
    if (cmp == Integer.MIN_VALUE) {
      return false;
    }
    switch (op) {
      case "<":
        return cmp < 0;
      case "<=":
        return cmp <= 0;
      case ">":
        return cmp > 0;
      default:
        return cmp >= 0;
    }
  }

  /** Compares two numeric nodes exactly, avoiding allocation for the common integral case. */
  static int compareNumbers(JsonNode a, JsonNode b) {
    if (a.canConvertToLong() && a.isIntegralNumber() && b.canConvertToLong() && b.isIntegralNumber()) {
      return Long.compare(a.longValue(), b.longValue());
    }
    return decimal(a).compareTo(decimal(b));
  }

  /** The exact decimal value of a numeric node; doubles by their shortest representation. */
  static BigDecimal decimal(JsonNode n) {
    switch (n.numberType()) {
      case INT:
      case LONG:
        return BigDecimal.valueOf(n.longValue());
      case DOUBLE:
      case FLOAT:
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new RoutingException("cannot compare " + d);
        }
        return BigDecimal.valueOf(d);
      default:
        return n.decimalValue();
    }
  }

  /**
   * The number a string spells in JSON syntax, or null (also for a JSON number a {@code
   * BigDecimal} can't hold: an exponent beyond ±2,147,483,647, such as {@code 1e99999999999}).
   *
   * @param s the text to read
   * @return the exact value, or null when {@code s} is not a JSON number
   */
  public static BigDecimal asNumber(String s) {
    if (s.isEmpty()) {
      return null;
    }
    char first = s.charAt(0);
    if (first != '-' && !Character.isDigit(first) && !Character.isWhitespace(first)) {
      return null; // most strings: no regex, no garbage
    }
    String t = s.strip();
    if (t.isEmpty() || t.length() > 400 || !JSON_NUMBER.matcher(t).matches()) {
      return null;
    }
    try {
      return new BigDecimal(t);
    } catch (NumberFormatException e) {
      return null; // the exponent is out of range
    }
  }

  /**
   * The instant an ISO-8601 date or date-time spells, or null.
   *
   * @param s the text to read, e.g. {@code 2026-03-29} (start of day, UTC) or
   *     {@code 2026-03-29T01:30:00+01:00} (no offset means UTC)
   * @return the instant, or null when {@code s} is not an ISO-8601 date or date-time
   */
  public static Instant asInstant(String s) {
    // Cheap checks first: most strings compared are not dates, and this runs on every inequality.
    if (s.length() < 10 || s.length() > 40 || !Character.isDigit(s.charAt(0)) || s.charAt(4) != '-'
        || s.charAt(7) != '-' || !ISO_DATE_START.matcher(s).matches()) {
      return null;
    }
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      char last = s.charAt(s.length() - 1);
      if (last == 'Z' || s.lastIndexOf('+') > 10 || s.lastIndexOf('-') > 10) {
        return OffsetDateTime.parse(s).toInstant();
      }
      return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static BigDecimal requireNumber(JsonNode text, JsonNode other) {
    BigDecimal n = asNumber(text.textValue());
    if (n == null) {
      throw new RoutingException("cannot order " + describe(text) + " and " + describe(other)
          + ": the string is not a number");
    }
    return n;
  }

  /** Truthiness of a bare path: true only for boolean true. */
  static boolean isTrue(JsonNode n) {
    return n != null && n.isBoolean() && n.booleanValue();
  }

  /** Missing, null, "", [] and {} are empty. */
  static boolean isEmpty(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return true;
    }
    if (n.isTextual()) {
      return n.textValue().isEmpty();
    }
    return n.isContainerNode() && n.size() == 0;
  }

  /** How a value is named in messages: type and a short rendering. */
  static String describe(JsonNode n) {
    if (n == null) {
      return "a missing value";
    }
    JsonNodeType t = n.getNodeType();
    String text = n.toString();
    if (text.length() > 60) {
      text = text.substring(0, 57) + "...";
    }
    return t.name().toLowerCase(java.util.Locale.ROOT) + " " + text;
  }
}
