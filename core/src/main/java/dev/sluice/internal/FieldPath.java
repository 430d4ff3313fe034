package dev.sluice.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field name or dotted path such as {@code id} or {@code $.customer.id}, as connector options
 * like {@code key} accept it. Not API.
 *
 * <p>Immutable.
 */
public final class FieldPath {
  private final String text;
  private final List<String> steps;

  private FieldPath(String text, List<String> steps) {
    this.text = text;
    this.steps = steps;
  }

  /**
   * @throws IllegalArgumentException naming the rejected text
   */
  public static FieldPath parse(String text) {
    String k = text == null ? "" : text.strip();
    if (k.startsWith("$.")) {
      k = k.substring(2);
    }
    List<String> steps = new ArrayList<>(List.of(k.split("\\.")));
    if (k.isEmpty() || steps.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("key must be a field name or a dotted path like $.customer.id, got '" + text + "'");
    }
    return new FieldPath(String.join(".", steps), List.copyOf(steps));
  }

  /** The node at this path, or a missing node. */
  public JsonNode at(JsonNode root) {
    JsonNode n = root;
    for (String step : steps) {
      n = n.path(step);
    }
    return n;
  }

  /** The scalar at this path as text, or null when it is missing, null or not a scalar. */
  public String textAt(JsonNode root) {
    JsonNode n = at(root);
    return n.isValueNode() && !n.isNull() ? n.asText() : null;
  }

  /** Dotted, without {@code $.}. */
  @Override
  public String toString() {
    return text;
  }
}
