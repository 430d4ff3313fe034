package dev.sluice.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Estimates how many bytes a JSON tree takes as compact JSON, by walking it once, without writing
 * it: what Sluice bounds memory and batches by. Exact for objects, arrays, integers, booleans,
 * null and text without characters JSON escapes, counting one byte per character; floating-point
 * and big numbers (decimals too, even integral ones such as {@code 12.0}) count {@value
 * #FLOATING_NUMBER} bytes.
 *
 * <p>Allocation-free apart from the iterators Jackson hands out. Stateless; thread-safe.
 */
public final class JsonSize {
  /** What a floating-point or big number counts, instead of formatting it. */
  static final int FLOATING_NUMBER = 8;

  private JsonSize() {}

  /** The estimated compact JSON size of {@code node}, in bytes; 4 ({@code null}) for a null node. */
  public static long of(JsonNode node) {
    if (node == null) {
      return 4;
    }
    switch (node.getNodeType()) {
      case OBJECT: {
        long size = 2; // {}
        int fields = 0;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          size += e.getKey().length() + 3 + of(e.getValue()); // "name":
          fields++;
        }
        return size + Math.max(0, fields - 1); // commas
      }
      case ARRAY: {
        long size = 2;
        int n = node.size();
        for (int i = 0; i < n; i++) {
          size += of(node.get(i));
        }
        return size + Math.max(0, n - 1);
      }
      case STRING:
        return node.textValue().length() + 2L;
      case NUMBER:
        // Only integral nodes are counted exactly: asking a decimal whether it is integral strips
        // its zeros into a new BigDecimal, which showed in profiles of CSV input.
        return node.isIntegralNumber() && node.canConvertToLong() ? digits(node.longValue()) : FLOATING_NUMBER;
      case BOOLEAN:
        return node.booleanValue() ? 4 : 5;
      case BINARY: // base64 in quotes
        return node instanceof com.fasterxml.jackson.databind.node.BinaryNode b
            ? (b.binaryValue().length + 2L) / 3 * 4 + 2 : 4;
      default: // NULL, MISSING, POJO
        return 4;
    }
  }

  private static int digits(long v) {
    if (v == Long.MIN_VALUE) {
      return 20;
    }
    int n = v < 0 ? 2 : 1;
    long a = Math.abs(v);
    while (a >= 10) {
      a /= 10;
      n++;
    }
    return n;
  }
}
