package dev.sluice.connectors.bigquery.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Turns the BigQuery REST API's row values ({@code {"f": [{"v": …}]}}, every scalar a JSON string,
 * see https://cloud.google.com/bigquery/docs/reference/rest/v2/tabledata) into typed JSON, by the
 * result schema ({@code TableFieldSchema}: name, type, mode, fields).
 *
 * <ul>
 *   <li>INTEGER/INT64 → integer, exact beyond 2^53 (never through double)
 *   <li>NUMERIC/BIGNUMERIC → decimal, exact (BigDecimal)
 *   <li>FLOAT/FLOAT64 → number; {@code NaN}, {@code Infinity}, {@code -Infinity} (not JSON numbers)
 *       → those strings
 *   <li>BOOLEAN/BOOL → true/false
 *   <li>TIMESTAMP → ISO-8601 UTC with microseconds, {@code 2024-01-02T03:04:05.123456Z}; read from
 *       int64 microseconds ({@code formatOptions.useInt64Timestamp}) or float seconds
 *   <li>STRING, BYTES (base64), DATE, DATETIME, TIME, GEOGRAPHY (WKT), INTERVAL, RANGE → strings as
 *       BigQuery writes them
 *   <li>JSON → the nested JSON value
 *   <li>RECORD/STRUCT → object; REPEATED → array (also of records); NULL → null
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class BigQueryValues {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter ISO_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter PARAM_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS'+00:00'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  /** A value BigQuery sent that does not fit its column's type. */
  public static final class BadValue extends Exception {
    private static final long serialVersionUID = 1L;

    BadValue(String message) {
      super(message, null, false, false);
    }
  }

  private BigQueryValues() {}

  /** One row ({@code {"f": [...]}}) as an object with the schema's column names. */
  public static ObjectNode row(JsonNode row, JsonNode fields) throws BadValue {
    return record(row, fields, "");
  }

  private static ObjectNode record(JsonNode row, JsonNode fields, String path) throws BadValue {
    JsonNode cells = row.path("f");
    if (!cells.isArray() || cells.size() != fields.size()) {
      throw new BadValue((path.isEmpty() ? "the row" : "record " + path) + " has " + cells.size()
          + " cells, the schema " + fields.size() + " fields");
    }
    ObjectNode out = F.objectNode();
    for (int i = 0; i < fields.size(); i++) {
      JsonNode field = fields.get(i);
      String name = field.path("name").asText();
      out.set(name, value(cells.get(i).get("v"), field, path.isEmpty() ? name : path + "." + name));
    }
    return out;
  }

  /** One cell's value by its field schema. */
  public static JsonNode value(JsonNode v, JsonNode field, String column) throws BadValue {
    if (v == null || v.isNull()) {
      return F.nullNode();
    }
    if ("REPEATED".equals(field.path("mode").asText())) {
      if (!v.isArray()) {
        throw new BadValue("column " + column + " is REPEATED but its value is not an array");
      }
      ArrayNode out = F.arrayNode();
      int i = 0;
      for (JsonNode item : v) {
        out.add(scalarOrRecord(item.get("v"), field, column + "[" + i++ + "]"));
      }
      return out;
    }
    return scalarOrRecord(v, field, column);
  }

  private static JsonNode scalarOrRecord(JsonNode v, JsonNode field, String column) throws BadValue {
    if (v == null || v.isNull()) {
      return F.nullNode();
    }
    String type = field.path("type").asText("STRING");
    if (type.equals("RECORD") || type.equals("STRUCT")) {
      if (!v.isObject()) {
        throw new BadValue("column " + column + " is a " + type + " but its value is not an object");
      }
      return record(v, field.path("fields"), column);
    }
    if (!v.isValueNode()) {
      throw new BadValue("column " + column + " (" + type + ") holds " + kind(v) + ", not a scalar");
    }
    String s = v.asText();
    try {
      switch (type) {
        case "INTEGER":
        case "INT64": {
          BigInteger n = new BigInteger(s);
          return n.bitLength() < 64 ? F.numberNode(n.longValue()) : F.numberNode(n);
        }
        case "NUMERIC":
        case "BIGNUMERIC":
          return F.numberNode(new BigDecimal(s));
        case "FLOAT":
        case "FLOAT64": {
          if (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity")) {
            return F.textNode(s);
          }
          double d = Double.parseDouble(s);
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new NumberFormatException();
          }
          return F.numberNode(d);
        }
        case "BOOLEAN":
        case "BOOL":
          if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return F.booleanNode(Boolean.parseBoolean(s.toLowerCase(Locale.ROOT)));
          }
          throw new BadValue("column " + column + " (" + type + ") is \"" + abbreviate(s) + "\", not true or false");
        case "TIMESTAMP":
          return F.textNode(ISO_MICROS.format(instant(timestampMicros(s))));
        case "JSON":
          try {
            return MAPPER.readTree(s);
          } catch (JsonProcessingException e) {
            throw new BadValue("column " + column + " (JSON) does not hold valid JSON");
          }
        default:
          // STRING, BYTES (base64), DATE, DATETIME, TIME, GEOGRAPHY (WKT), INTERVAL, RANGE: as written.
          return F.textNode(s);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new BadValue("column " + column + " (" + type + ") is \"" + abbreviate(s) + "\", not a valid " + type);
    }
  }

  /**
   * Microseconds since the epoch from a REST TIMESTAMP value: an int64 of microseconds (with {@code
   * formatOptions.useInt64Timestamp}) or float seconds such as {@code 1.7040672E9}.
   */
  public static long timestampMicros(String s) {
    if (s.matches("-?\\d+")) {
      return Long.parseLong(s);
    }
    return new BigDecimal(s).multiply(MILLION).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  /** A TIMESTAMP query parameter value BigQuery accepts, exact to the microsecond. */
  public static String timestampParameter(long micros) {
    return PARAM_MICROS.format(instant(micros));
  }

  private static String kind(JsonNode v) {
    return v.isArray() ? "an array" : v.isObject() ? "an object" : "a " + v.getNodeType();
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
