package dev.sluice.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;

/** Turns CSV cells into JSON values and back, for the file connector and destination. Not API. */
public final class CsvValues {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  // No leading zeros (except "0" itself): "007" is a code, not a number.
  static final Pattern INTEGER = Pattern.compile("-?(0|[1-9]\\d*)");
  static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");

  static final int NOT_A_NUMBER = 0;
  static final int INTEGRAL = 1;
  static final int FRACTIONAL = 2;

  private CsvValues() {}

  /**
   * What {@link #INTEGER} and {@link #DECIMAL} say about a cell, without running a regex: {@link
   * #INTEGRAL} when the first matches, {@link #FRACTIONAL} when only the second does, else {@link
   * #NOT_A_NUMBER}. The patterns stay as the specification (a property test holds the two equal).
   */
  static int numberKind(String s) {
    int n = s.length();
    int i = 0;
    if (i < n && s.charAt(i) == '-') {
      i++;
    }
    int digits = digitsFrom(s, i);
    if (digits == 0 || (digits > 1 && s.charAt(i) == '0')) {
      return NOT_A_NUMBER;
    }
    i += digits;
    if (i == n) {
      return INTEGRAL;
    }
    if (s.charAt(i) == '.') {
      int fraction = digitsFrom(s, i + 1);
      if (fraction == 0) {
        return NOT_A_NUMBER;
      }
      i += 1 + fraction;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponent = digitsFrom(s, i);
      if (exponent == 0) {
        return NOT_A_NUMBER;
      }
      i += exponent;
    }
    return i == n ? FRACTIONAL : NOT_A_NUMBER;
  }

  private static int digitsFrom(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i - from;
  }

  /** With {@code infer}: integers, exact decimals, booleans, empty as null; else text. */
  public static JsonNode parse(String cell, boolean infer) {
    if (!infer) {
      return F.textNode(cell);
    }
    if (cell.isEmpty()) {
      return F.nullNode();
    }
    char first = cell.charAt(0);
    if (first == '-' || (first >= '0' && first <= '9')) { // the patterns cannot match otherwise
      int kind = numberKind(cell);
      if (kind == INTEGRAL) {
        if (cell.length() < 19) {
          return F.numberNode(Long.parseLong(cell));
        }
        return F.numberNode(new BigInteger(cell));
      }
      if (kind == FRACTIONAL) {
        return F.numberNode(new BigDecimal(cell));
      }
    }
    if (cell.equals("true") || cell.equals("false")) {
      return F.booleanNode(Boolean.parseBoolean(cell));
    }
    return F.textNode(cell);
  }

  /** A JSON value as one CSV cell: text as is, numbers plain, objects and arrays as JSON. */
  public static String format(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return "";
    }
    if (value.isTextual()) {
      return value.asText();
    }
    if (value.isBigDecimal()) {
      return value.decimalValue().toPlainString();
    }
    if (value.isValueNode()) {
      return value.asText();
    }
    return value.toString();
  }
}
