package dev.sluice.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A definite path to one value in a record's JSON data — field names and array indexes — and the
 * one walker of such paths in Sluice: rule conditions and transformations, the {@code key} options
 * of connectors, the column paths of the database destination and plugins use it.
 *
 * <p>Two written forms:
 *
 * <ul>
 *   <li>JSONPath ({@link #parse}, {@link #tryParse}): {@code $.customer.email}, {@code $['odd key']},
 *       {@code $["a b"].c}, {@code $['it\'s']}, {@code $.items[0].sku}; {@code @} may stand for
 *       {@code $} (the current item in array filters). Dotted names are letters, digits, {@code _},
 *       {@code -} and {@code $}; a quoted name may hold anything, with {@code \} escaping the next
 *       character. Indexes are non-negative (at most 9 digits).
 *   <li>dotted ({@link #parseDotted}): {@code id}, {@code customer.id} or {@code $.customer.id},
 *       as connector options such as {@code key} accept it; anything starting with {@code $} is
 *       read as JSONPath. Its {@link #text()} is the dotted form ({@code customer.id}), as
 *       messages show it.
 * </ul>
 *
 * <p>Walking never throws: a step into a missing value, or a name step on something that is not
 * an object (an index step on something that is not an array) finds nothing. Field names are
 * interned, so that Jackson's lookups of its own interned names compare references.
 *
 * <p>Immutable and thread-safe.
 */
public final class FieldPath {
  private final String text;
  private final Object[] steps;

  private FieldPath(String text, Object[] steps) {
    this.text = text;
    this.steps = steps;
  }

  /**
   * Parses a definite JSONPath.
   *
   * @param path a definite JSONPath, e.g. {@code $.items[0].sku}
   * @return the parsed path
   * @throws IllegalArgumentException when {@code path} is not a definite path of field names and
   *     indexes (wildcards, filters, slices, deep scan, negative indexes), naming it
   */
  public static FieldPath parse(String path) {
    FieldPath parsed = tryParse(path);
    if (parsed == null) {
      throw new IllegalArgumentException("'" + path + "' is not a definite JSONPath of field names and indexes,"
          + " like $.customer.address.city or $.items[0].sku");
    }
    return parsed;
  }

  /**
   * Parses a definite JSONPath.
   *
   * @param path a JSONPath, or null
   * @return null when {@code path} is null or not a definite path of field names and indexes (so
   *     that callers can hand it to a general JSONPath engine)
   */
  public static FieldPath tryParse(String path) {
    if (path == null) {
      return null;
    }
    String p = path.strip();
    if (p.isEmpty() || (p.charAt(0) != '$' && p.charAt(0) != '@')) {
      return null;
    }
    List<Object> steps = new ArrayList<>();
    int i = 1;
    int n = p.length();
    while (i < n) {
      char c = p.charAt(i);
      if (c == '.') {
        int start = ++i;
        while (i < n && isNameChar(p.charAt(i))) {
          i++;
        }
        if (start == i) {
          return null; // deep scan (..), wildcard (.*) or nothing
        }
        steps.add(p.substring(start, i).intern());
      } else if (c == '[') {
        i++;
        if (i < n && (p.charAt(i) == '\'' || p.charAt(i) == '"')) {
          char quote = p.charAt(i++);
          StringBuilder name = new StringBuilder();
          while (i < n && p.charAt(i) != quote) {
            char ch = p.charAt(i++);
            if (ch == '\\') {
              if (i >= n) {
                return null;
              }
              ch = p.charAt(i++);
            }
            name.append(ch);
          }
          if (i + 1 >= n || p.charAt(i + 1) != ']') {
            return null; // unclosed, or several names ['a','b']
          }
          steps.add(name.toString().intern());
          i += 2;
        } else {
          int close = p.indexOf(']', i);
          if (close < 0) {
            return null;
          }
          String index = p.substring(i, close).strip();
          if (index.isEmpty() || index.length() > 9 || !index.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return null; // *, filters, slices, unions, negative indexes
          }
          steps.add(Integer.valueOf(index));
          i = close + 1;
        }
      } else {
        return null;
      }
    }
    return new FieldPath(path, steps.toArray());
  }

  /**
   * Parses a field name or dotted path ({@code id}, {@code customer.id}, {@code $.customer.id}),
   * or a JSONPath when {@code text} starts with {@code $}.
   *
   * @param text the field name, dotted path or JSONPath
   * @return the parsed path
   * @throws IllegalArgumentException naming the rejected text
   */
  public static FieldPath parseDotted(String text) {
    String k = text == null ? "" : text.strip();
    if (k.startsWith("$")) {
      FieldPath path = tryParse(k);
      if (path != null && !path.isRoot()) {
        boolean names = java.util.Arrays.stream(path.steps).allMatch(s -> s instanceof String);
        return new FieldPath(names ? String.join(".", path.steps().stream().map(String.class::cast).toList()) : k,
            path.steps);
      }
    } else if (!k.isEmpty()) {
      String[] names = k.split("\\.", -1);
      List<Object> steps = new ArrayList<>(names.length);
      for (String name : names) {
        if (name.isEmpty()) {
          steps = null;
          break;
        }
        steps.add(name.intern());
      }
      if (steps != null) {
        return new FieldPath(k, steps.toArray());
      }
    }
    throw new IllegalArgumentException("key must be a field name or a dotted path like $.customer.id, got '" + text + "'");
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$';
  }

  /**
   * The path as written (dotted form: without {@code $.}).
   *
   * @return the text, never null
   */
  public String text() {
    return text;
  }

  /**
   * Field names ({@code String}) and indexes ({@code Integer}), from the root.
   *
   * @return an unmodifiable list; empty for the root
   */
  public List<Object> steps() {
    return Collections.unmodifiableList(List.of(steps));
  }

  /**
   * Whether the path is the whole document ({@code $}).
   *
   * @return true for {@code $}
   */
  public boolean isRoot() {
    return steps.length == 0;
  }

  /**
   * The value at this path.
   *
   * @param root never null
   * @return the value (possibly a JSON {@code null}), or null when there is none
   */
  public JsonNode find(JsonNode root) {
    JsonNode node = root;
    for (Object step : steps) {
      if (step instanceof String) {
        if (!node.isObject()) {
          return null;
        }
        node = node.get((String) step);
      } else {
        if (!node.isArray()) {
          return null;
        }
        node = node.get((Integer) step);
      }
      if (node == null) {
        return null;
      }
    }
    return node;
  }

  /**
   * The value at this path, or {@link MissingNode} when there is none.
   *
   * @param root the document, never null
   * @return the value, never null
   */
  public JsonNode path(JsonNode root) {
    JsonNode found = find(root);
    return found == null ? MissingNode.getInstance() : found;
  }

  /**
   * The scalar at this path as text, or null when it is missing, {@code null} or not a scalar.
   *
   * @param root the document, never null
   * @return the text, or null
   */
  public String textAt(JsonNode root) {
    JsonNode n = find(root);
    return n != null && n.isValueNode() && !n.isNull() ? n.asText() : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath other && java.util.Arrays.equals(steps, other.steps);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(steps);
  }

  /** The path as written. */
  @Override
  public String toString() {
    return Objects.requireNonNull(text);
  }
}
