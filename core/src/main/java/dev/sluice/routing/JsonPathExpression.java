package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.sluice.record.FieldPath;
import java.util.List;
import java.util.Objects;

/**
 * A compiled JSONPath over Jackson trees.
 *
 * <p>Definite paths made of field names and non-negative indexes ({@code $.a.b[0].c}, {@code
 * $['odd key']}) take a fast path that walks the tree directly ({@link FieldPath}); everything else (wildcards, deep
 * scan, filters, slices, negative indexes) is compiled once by Jayway and evaluated with a
 * Jackson-tree provider. Nothing goes through Jayway's global path cache: paths are compiled when
 * the pipeline is built, and {@link PathCache} de-duplicates them per compilation.
 *
 * <p>Immutable and thread-safe.
 */
public abstract class JsonPathExpression {
  private static final Configuration JAYWAY = Configuration.builder()
      .jsonProvider(new JacksonJsonNodeJsonProvider())
      .mappingProvider(new JacksonMappingProvider())
      .options(Option.SUPPRESS_EXCEPTIONS)
      .build();

  private final String text;

  JsonPathExpression(String text) {
    this.text = text;
  }

  /**
   * Compiles a path.
   *
   * @param path a JSONPath; {@code @} may stand for {@code $} (the current item in array filters)
   * @return a {@link Definite} for field names and indexes, otherwise a path evaluated by Jayway
   * @throws IllegalArgumentException with Jayway's explanation when the path is invalid
   */
  public static JsonPathExpression compile(String path) {
    FieldPath definite = FieldPath.tryParse(path);
    if (definite != null) {
      return new Definite(path, definite);
    }
    // '@' (the current item, in array filters) is the root of the item: Jayway wants '$'.
    String jaywayPath = path.strip().startsWith("@") ? "$" + path.strip().substring(1) : path;
    try {
      return new Jayway(path, JsonPath.compile(jaywayPath));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("invalid JSONPath " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Compiles a path that transformations can write to: definite, field names and indexes only.
   *
   * @param path a definite JSONPath, e.g. {@code $.items[0].sku}
   * @return the compiled path
   * @throws IllegalArgumentException otherwise
   */
  public static Definite compileWritable(String path) {
    FieldPath definite = FieldPath.tryParse(path);
    if (definite == null) {
      throw new IllegalArgumentException("'" + path + "' can't be written to: use a definite path"
          + " of field names and indexes, like $.customer.address.city or $.items[0].sku");
    }
    return new Definite(path, definite);
  }

  /**
   * The path as written.
   *
   * @return the source text, never null
   */
  public String text() {
    return text;
  }

  /**
   * Whether the path names at most one value; otherwise it yields a list of matches.
   *
   * @return true for a path of field names and indexes only
   */
  public abstract boolean isDefinite();

  /**
   * Evaluates the path.
   *
   * @param root the document to evaluate against (a record's data, or an array item)
   * @return for a definite path the value, or null when missing; for other paths an array of
   *     every match (empty when none)
   * @throws RoutingException when a JSONPath function fails on this document (an unknown
   *     function, {@code .length()} of a number, ...)
   */
  public abstract JsonNode evaluate(JsonNode root);

  @Override
  public String toString() {
    return text;
  }

  /** The fast path: a definite path of field names and indexes, walked by {@link FieldPath}. */
  public static final class Definite extends JsonPathExpression {
    /** Writing further past the end of an array than this is refused (it would mean a huge array). */
    static final int MAX_PADDING = 10_000;

    private final FieldPath path;
    private final Object[] steps;

    Definite(String text, FieldPath path) {
      super(text);
      this.path = path;
      this.steps = path.steps().toArray();
    }

    @Override
    public boolean isDefinite() {
      return true;
    }

    /**
     * The walker of this path.
     *
     * @return the walker, immutable
     */
    public FieldPath fieldPath() {
      return path;
    }

    /**
     * Field names (String) and indexes (Integer), root first.
     *
     * @return an unmodifiable list; empty for {@code $} itself
     */
    public List<Object> steps() {
      return path.steps();
    }

    @Override
    public JsonNode evaluate(JsonNode root) {
      return path.find(root);
    }

    /**
     * Sets the value, creating missing objects on the way (and padding arrays with nulls, at most
     * 10,000 past the end).
     *
     * @param root the document to change (in place)
     * @param value the value to store (not copied)
     * @throws RoutingException when the way is blocked by a value of another type (a field of an
     *     array, an index into an object, anything inside a number), or the index is too far past
     *     the end
     */
    public void set(ObjectNode root, JsonNode value) {
      if (steps.length == 0) {
        throw new RoutingException("can't replace the whole record with " + text());
      }
      JsonNode parent = parentOf(root, true);
      int lastStep = steps.length - 1;
      Object last = steps[lastStep];
      if (last instanceof String) {
        if (!parent.isObject()) {
          blocked(lastStep, parent, true);
        }
        ((ObjectNode) parent).set((String) last, value);
      } else {
        if (!parent.isArray()) {
          blocked(lastStep, parent, true);
        }
        ArrayNode array = (ArrayNode) parent;
        int index = (Integer) last;
        pad(array, index);
        array.set(index, value);
      }
    }

    /** Fills {@code array} with nulls up to {@code index}, within {@link #MAX_PADDING}. */
    private void pad(ArrayNode array, int index) {
      if (index - array.size() > MAX_PADDING) {
        throw new RoutingException("can't write " + text() + ": index " + index + " is more than " + MAX_PADDING
            + " past the end of an array of " + array.size());
      }
      while (array.size() <= index) {
        array.addNull();
      }
    }

    /**
     * Removes the value; returns it, or null when it was missing.
     *
     * @param root the document to change (in place)
     * @return the removed value, or null when it was missing
     */
    public JsonNode remove(ObjectNode root) {
      if (steps.length == 0) {
        throw new RoutingException("can't remove the whole record");
      }
      JsonNode parent = parentOf(root, false);
      if (parent == null) {
        return null;
      }
      Object last = steps[steps.length - 1];
      if (last instanceof String) {
        return parent.isObject() ? ((ObjectNode) parent).remove((String) last) : null;
      }
      int index = (Integer) last;
      return parent.isArray() && index < parent.size() ? ((ArrayNode) parent).remove(index) : null;
    }

    private JsonNode parentOf(ObjectNode root, boolean create) {
      JsonNode node = root;
      for (int i = 0; i < steps.length - 1; i++) {
        Object step = steps[i];
        Object next = steps[i + 1];
        JsonNode child;
        if (step instanceof String) {
          if (!node.isObject()) {
            return blocked(i, node, create);
          }
          child = node.get((String) step);
          if ((child == null || child.isNull()) && create) {
            child = next instanceof String ? ((ObjectNode) node).putObject((String) step)
                : ((ObjectNode) node).putArray((String) step);
          }
        } else {
          if (!node.isArray()) {
            return blocked(i, node, create);
          }
          int index = (Integer) step;
          child = node.get(index);
          if ((child == null || child.isNull()) && create) {
            ArrayNode array = (ArrayNode) node;
            pad(array, index);
            child = next instanceof String ? JsonNodeFactory.instance.objectNode() : JsonNodeFactory.instance.arrayNode();
            array.set(index, child);
          }
        }
        if (child == null) {
          return null;
        }
        node = child;
      }
      return node;
    }

    private JsonNode blocked(int depth, JsonNode node, boolean create) {
      if (!create) {
        return null;
      }
      throw new RoutingException("can't write " + text() + ": step " + (depth + 1) + " meets "
          + Values.describe(node));
    }
  }

  /** Everything that is not a simple definite path, evaluated by Jayway. */
  static final class Jayway extends JsonPathExpression {
    private final JsonPath path;
    private final boolean definite;

    Jayway(String text, JsonPath path) {
      super(text);
      this.path = Objects.requireNonNull(path);
      this.definite = path.isDefinite();
    }

    @Override
    public boolean isDefinite() {
      return definite;
    }

    @Override
    public JsonNode evaluate(JsonNode root) {
      Object result;
      try {
        result = path.read(root, JAYWAY);
      } catch (RuntimeException e) {
        // Jayway resolves functions (.length(), .sum(), ...) only when it meets them: an unknown
        // function, or one applied to the wrong type, fails here even with SUPPRESS_EXCEPTIONS.
        throw new RoutingException("JSONPath " + text() + ": " + e.getMessage(), e);
      }
      if (result == null) {
        return definite ? null : JsonNodeFactory.instance.arrayNode();
      }
      return (JsonNode) result;
    }
  }
}
