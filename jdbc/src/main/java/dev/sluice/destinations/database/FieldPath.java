package dev.sluice.destinations.database;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compiled JSONPath that picks a column's value out of a record. Plain paths ({@code $.a.b},
 * {@code $['a b'].c}, {@code $.items[0].sku}) are walked directly on the Jackson tree, which is
 * an order of magnitude faster than a general JSONPath evaluation and matters for bulk loads;
 * anything else (filters, wildcards, recursive descent) is evaluated by Jayway JsonPath, and an
 * indefinite path yields a JSON array of its matches.
 *
 * <p>Immutable and thread-safe.
 */
final class FieldPath {
  private static final Pattern STEP =
      Pattern.compile("\\.([A-Za-z_$][A-Za-z0-9_$-]*)|\\['((?:[^'\\\\]|\\\\.)*)'\\]|\\[\"((?:[^\"\\\\]|\\\\.)*)\"\\]|\\[(\\d+)\\]");
  private static final Configuration JAYWAY = Configuration.builder()
      .jsonProvider(new JacksonJsonNodeJsonProvider())
      .mappingProvider(new JacksonMappingProvider())
      .options(Option.SUPPRESS_EXCEPTIONS)
      .build();

  private final String expression;
  /** Field names (String) and array indexes (Integer), or null when Jayway evaluates. */
  private final Object[] steps;
  private final JsonPath general;

  private FieldPath(String expression, Object[] steps, JsonPath general) {
    this.expression = expression;
    this.steps = steps;
    this.general = general;
  }

  /**
   * @throws IllegalArgumentException when {@code expression} is not a JSONPath starting at {@code $}
   */
  static FieldPath compile(String expression) {
    String e = expression == null ? "" : expression.trim();
    if (!e.startsWith("$")) {
      throw new IllegalArgumentException("'" + expression + "' is not a JSONPath: it must start with $");
    }
    List<Object> steps = new ArrayList<>();
    Matcher m = STEP.matcher(e);
    int at = 1;
    while (at < e.length() && m.find(at) && m.start() == at) {
      // Interned: Jackson interns the field names it parses, so the map lookup's equals() is
      // then a reference comparison instead of a read of both strings' characters.
      if (m.group(1) != null) {
        steps.add(m.group(1).intern());
      } else if (m.group(2) != null) {
        steps.add(unescape(m.group(2)).intern());
      } else if (m.group(3) != null) {
        steps.add(unescape(m.group(3)).intern());
      } else {
        steps.add(Integer.valueOf(m.group(4)));
      }
      at = m.end();
    }
    if (at == e.length()) {
      return new FieldPath(e, steps.toArray(), null);
    }
    try {
      return new FieldPath(e, null, JsonPath.compile(e));
    } catch (InvalidPathException ex) {
      throw new IllegalArgumentException("'" + expression + "' is not a valid JSONPath: " + ex.getMessage(), ex);
    }
  }

  private static String unescape(String quoted) {
    return quoted.replaceAll("\\\\(.)", "$1");
  }

  /** The value at this path in {@code root}; {@link MissingNode} when there is none. */
  JsonNode read(JsonNode root) {
    if (steps != null) {
      JsonNode node = root;
      for (Object step : steps) {
        node = step instanceof String ? node.path((String) step) : node.path((Integer) step);
      }
      return node;
    }
    Object found = general.read(root, JAYWAY);
    return found instanceof JsonNode ? (JsonNode) found : MissingNode.getInstance();
  }

  @Override
  public String toString() {
    return expression;
  }
}
