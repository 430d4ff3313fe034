package dev.sluice.destinations.database;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.routing.JsonPathExpression;

/**
 * A column's JSONPath, as the database destination reads it: the core's walker ({@link
 * JsonPathExpression}: plain paths such as {@code $.a.b}, {@code $['a b'].c}, {@code
 * $.items[0].sku} are walked directly on the Jackson tree by {@link dev.sluice.record.FieldPath},
 * which matters for bulk loads; anything else is evaluated by Jayway JsonPath, an indefinite path
 * yielding a JSON array of its matches), with the destination's rules on top: the path must start
 * at {@code $}, and a missing value reads as {@link MissingNode}.
 *
 * <p>Immutable and thread-safe.
 */
final class FieldPath {
  private final String expression;
  private final JsonPathExpression path;

  private FieldPath(String expression, JsonPathExpression path) {
    this.expression = expression;
    this.path = path;
  }

  /**
   * @throws IllegalArgumentException when {@code expression} is not a JSONPath starting at {@code $}
   */
  static FieldPath compile(String expression) {
    String e = expression == null ? "" : expression.trim();
    if (!e.startsWith("$")) {
      throw new IllegalArgumentException("'" + expression + "' is not a JSONPath: it must start with $");
    }
    try {
      return new FieldPath(e, JsonPathExpression.compile(e));
    } catch (IllegalArgumentException ex) {
      Throwable why = ex.getCause() != null ? ex.getCause() : ex;
      throw new IllegalArgumentException("'" + expression + "' is not a valid JSONPath: " + why.getMessage(), ex);
    }
  }

  /** The value at this path in {@code root}; {@link MissingNode} when there is none. */
  JsonNode read(JsonNode root) {
    JsonNode found = path.evaluate(root);
    return found == null ? MissingNode.getInstance() : found;
  }

  @Override
  public String toString() {
    return expression;
  }
}
