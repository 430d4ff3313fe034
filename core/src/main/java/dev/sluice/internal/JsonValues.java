package dev.sluice.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/** Converts plain Java values (maps, lists, strings, numbers) to Jackson trees without an ObjectMapper. Not API. */
public final class JsonValues {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private JsonValues() {}

  public static JsonNode toNode(Object v) {
    if (v == null) {
      return F.nullNode();
    }
    if (v instanceof JsonNode) {
      return ((JsonNode) v).deepCopy();
    }
    if (v instanceof String || v instanceof Character || v instanceof Enum) {
      return F.textNode(v.toString());
    }
    if (v instanceof Boolean) {
      return F.booleanNode((Boolean) v);
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return F.numberNode(((Number) v).intValue());
    }
    if (v instanceof Long) {
      return F.numberNode((Long) v);
    }
    if (v instanceof BigInteger) {
      return F.numberNode((BigInteger) v);
    }
    if (v instanceof BigDecimal) {
      return F.numberNode((BigDecimal) v);
    }
    if (v instanceof Number) {
      return F.numberNode(((Number) v).doubleValue());
    }
    if (v instanceof Map) {
      ObjectNode o = F.objectNode();
      ((Map<?, ?>) v).forEach((k, val) -> o.set(String.valueOf(k), toNode(val)));
      return o;
    }
    if (v instanceof Collection) {
      ArrayNode a = F.arrayNode();
      ((Collection<?>) v).forEach(item -> a.add(toNode(item)));
      return a;
    }
    return F.textNode(v.toString());
  }
}
