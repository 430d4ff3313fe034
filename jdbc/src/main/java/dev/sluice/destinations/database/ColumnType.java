package dev.sluice.destinations.database;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.jdbc.internal.Dialect;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The SQL type of a column of the {@code database} destination, and how a JSON value becomes a
 * value of that type.
 *
 * <p>Conversions are strict: a value that does not fit (text in an integer column, a fraction in
 * an integer column, an unparseable timestamp) fails that record permanently with a reason naming
 * the column. JSON {@code null} and a missing field become SQL {@code NULL}.
 */
public enum ColumnType {
  /** Text; objects and arrays are written as JSON text. */
  TEXT,
  /** 32-bit integer. */
  INTEGER,
  /** 64-bit integer. */
  BIGINT,
  /** Double-precision floating point. */
  DOUBLE,
  /** Exact decimal. */
  NUMERIC,
  /** true or false (also the strings "true"/"false"). */
  BOOLEAN,
  /**
   * An instant: an ISO-8601 string with offset ({@code 2026-03-29T01:30:00Z}) or a number of
   * milliseconds since the epoch. Stored as {@code TIMESTAMP WITH TIME ZONE} (MySQL: {@code
   * DATETIME(6)} in UTC).
   */
  TIMESTAMP,
  /** A date, {@code yyyy-MM-dd}. */
  DATE,
  /** Any JSON value, stored as {@code JSONB} (PostgreSQL) or {@code JSON}. */
  JSON,
  /** A UUID string. */
  UUID;

  /**
   * The type named {@code name} in a configuration, case-insensitively; aliases: string, int, long,
   * float8, decimal, bool, timestamptz, jsonb.
   *
   * @param name the type's name, e.g. {@code bigint} or {@code timestamptz}
   * @return the column type
   * @throws IllegalArgumentException when the name is unknown (the message lists the known ones)
   */
  public static ColumnType parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "text":
      case "string":
      case "varchar":
        return TEXT;
      case "integer":
      case "int":
        return INTEGER;
      case "bigint":
      case "long":
        return BIGINT;
      case "double":
      case "float8":
      case "double precision":
        return DOUBLE;
      case "numeric":
      case "decimal":
        return NUMERIC;
      case "boolean":
      case "bool":
        return BOOLEAN;
      case "timestamp":
      case "timestamptz":
        return TIMESTAMP;
      case "date":
        return DATE;
      case "json":
      case "jsonb":
        return JSON;
      case "uuid":
        return UUID;
      default:
        throw new IllegalArgumentException("unknown column type '" + name + "' (known: text, integer, "
            + "bigint, double, numeric, boolean, timestamp, date, json, uuid)");
    }
  }

  /** The column type in {@code CREATE TABLE}; {@code key} for primary/unique key columns. */
  String sqlType(Dialect dialect, boolean key) {
    boolean mysql = dialect == Dialect.MYSQL;
    switch (this) {
      case TEXT:
        // MySQL can't index TEXT without a prefix length; H2's VARCHAR without length is unbounded.
        return mysql ? (key ? "VARCHAR(255)" : "LONGTEXT") : dialect == Dialect.H2 ? "VARCHAR" : "TEXT";
      case INTEGER:
        return "INTEGER";
      case BIGINT:
        return "BIGINT";
      case DOUBLE:
        return mysql ? "DOUBLE" : "DOUBLE PRECISION";
      case NUMERIC:
        // H2's NUMERIC without precision has scale 0; DECFLOAT keeps any decimal exactly.
        return mysql ? "DECIMAL(65, 30)" : dialect == Dialect.H2 ? "DECFLOAT" : "NUMERIC";
      case BOOLEAN:
        return "BOOLEAN";
      case TIMESTAMP:
        return mysql ? "DATETIME(6)" : "TIMESTAMP(6) WITH TIME ZONE";
      case DATE:
        return "DATE";
      case JSON:
        return dialect == Dialect.POSTGRESQL ? "JSONB" : "JSON";
      default:
        return mysql ? "CHAR(36)" : "UUID";
    }
  }

  /** How the statement takes a parameter of this type: {@code ?}, or a conversion around it. */
  String placeholder(Dialect dialect) {
    if (this == JSON) {
      return dialect == Dialect.POSTGRESQL ? "CAST(? AS JSONB)" : dialect == Dialect.H2 ? "? FORMAT JSON" : "?";
    }
    return "?";
  }

  /**
   * The Java value for {@code node}: String, Integer, Long, Double, BigDecimal, Boolean, Instant,
   * LocalDate or UUID; null for JSON null or a missing value.
   *
   * @throws IllegalArgumentException saying what was expected and what came
   */
  Object convert(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    switch (this) {
      case TEXT:
        return node.isValueNode() ? node.asText() : node.toString();
      case INTEGER:
        if (node.isIntegralNumber() && node.canConvertToInt()) {
          return node.intValue();
        }
        return parse(node, "an integer", s -> Integer.valueOf(s.trim()));
      case BIGINT:
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          return node.longValue();
        }
        return parse(node, "a 64-bit integer", s -> Long.valueOf(s.trim()));
      case DOUBLE:
        if (node.isNumber()) {
          return node.doubleValue();
        }
        return parse(node, "a number", s -> Double.valueOf(s.trim()));
      case NUMERIC:
        if (node.isNumber()) {
          return node.decimalValue();
        }
        return parse(node, "a decimal number", s -> new BigDecimal(s.trim()));
      case BOOLEAN:
        if (node.isBoolean()) {
          return node.booleanValue();
        }
        return parse(node, "true or false", s -> {
          if (s.equals("true") || s.equals("false")) {
            return Boolean.valueOf(s);
          }
          throw new IllegalArgumentException();
        });
      case TIMESTAMP:
        if (node.isIntegralNumber() && node.canConvertToLong()) {
          return Instant.ofEpochMilli(node.longValue());
        }
        return parse(node, "an ISO-8601 timestamp with offset or epoch milliseconds", Timestamps::parse);
      case DATE:
        return parse(node, "a date (yyyy-MM-dd)", s -> LocalDate.parse(s.trim()));
      case JSON:
        return node.toString();
      default:
        return parse(node, "a UUID", s -> java.util.UUID.fromString(s.trim()));
    }
  }

  private interface Parser {
    Object parse(String text);
  }

  private static Object parse(JsonNode node, String expected, Parser parser) {
    if (node.isTextual()) {
      try {
        return parser.parse(node.textValue());
      } catch (IllegalArgumentException | DateTimeParseException e) {
        // fall through to the message below
      }
    }
    String shown = node.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 77) + "...";
    }
    throw new IllegalArgumentException("expected " + expected + ", got " + shown);
  }

  /** Binds {@code value} (from {@link #convert}) as parameter {@code index}. */
  void bind(PreparedStatement ps, int index, Object value, Dialect dialect) throws SQLException {
    if (value == null) {
      ps.setNull(index, nullType(dialect));
      return;
    }
    switch (this) {
      case TEXT:
      case JSON:
        ps.setString(index, (String) value);
        return;
      case INTEGER:
        ps.setInt(index, (Integer) value);
        return;
      case BIGINT:
        ps.setLong(index, (Long) value);
        return;
      case DOUBLE:
        ps.setDouble(index, (Double) value);
        return;
      case NUMERIC:
        ps.setBigDecimal(index, (BigDecimal) value);
        return;
      case BOOLEAN:
        ps.setBoolean(index, (Boolean) value);
        return;
      case TIMESTAMP:
        dialect.setInstant(ps, index, (Instant) value);
        return;
      case DATE:
        ps.setObject(index, value);
        return;
      default:
        if (dialect == Dialect.MYSQL) {
          ps.setString(index, value.toString());
        } else {
          ps.setObject(index, value);
        }
    }
  }

  private int nullType(Dialect dialect) {
    switch (this) {
      case TEXT:
        return Types.VARCHAR;
      case INTEGER:
        return Types.INTEGER;
      case BIGINT:
        return Types.BIGINT;
      case DOUBLE:
        return Types.DOUBLE;
      case NUMERIC:
        return Types.NUMERIC;
      case BOOLEAN:
        return Types.BOOLEAN;
      case TIMESTAMP:
        return dialect == Dialect.MYSQL ? Types.TIMESTAMP : Types.TIMESTAMP_WITH_TIMEZONE;
      case DATE:
        return Types.DATE;
      case JSON:
        return dialect == Dialect.MYSQL ? Types.VARCHAR : Types.OTHER;
      default:
        return dialect == Dialect.MYSQL ? Types.CHAR : Types.OTHER;
    }
  }

  /** Writes {@code value} (from {@link #convert}, null for SQL NULL) as the next COPY value. */
  void writeCopy(CopyEncoder out, Object value) throws SQLException {
    if (value == null) {
      out.nullValue();
      return;
    }
    switch (this) {
      case INTEGER:
        out.integer((Integer) value);
        return;
      case BIGINT:
        out.integer((Long) value);
        return;
      case DOUBLE:
        out.ascii(value.toString());
        return;
      case NUMERIC:
        out.ascii(((BigDecimal) value).toPlainString());
        return;
      case BOOLEAN:
        out.bool((Boolean) value);
        return;
      case TIMESTAMP:
        out.timestamp((Instant) value);
        return;
      default:
        out.text(value.toString());
    }
  }

  /** Whether values of this type are text that could hold a NUL character. */
  boolean isText() {
    return this == TEXT || this == JSON;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
