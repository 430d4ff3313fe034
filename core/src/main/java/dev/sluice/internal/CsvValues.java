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
  private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9]\\d*)");
  private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");

  private CsvValues() {}

  /** With {@code infer}: integers, exact decimals, booleans, empty as null; else text. */
  public static JsonNode parse(String cell, boolean infer) {
    if (!infer) {
      return F.textNode(cell);
    }
    if (cell.isEmpty()) {
      return F.nullNode();
    }
    if (INTEGER.matcher(cell).matches()) {
      if (cell.length() < 19) {
        return F.numberNode(Long.parseLong(cell));
      }
      return F.numberNode(new BigInteger(cell));
    }
    if (DECIMAL.matcher(cell).matches()) {
      return F.numberNode(new BigDecimal(cell));
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
