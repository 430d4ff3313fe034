package dev.sluice.spi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Small helpers to write a provider's {@link PluginProvider#configSchema()} (JSON Schema draft
 * 2020-12) without hand-building JSON.
 *
 * <pre>{@code
 * return ConfigSchemas.object()
 *     .required("path", ConfigSchemas.string("The file to read."))
 *     .optional("batchSize", ConfigSchemas.integer("Records per request.", 100, 1))
 *     .build();
 * }</pre>
 *
 * <p>Every method returns a fresh node; thread-safe.
 */
public final class ConfigSchemas {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ConfigSchemas() {}

  /**
   * Starts an object schema that rejects unknown options.
   *
   * @return a new builder
   */
  public static ObjectBuilder object() {
    return new ObjectBuilder();
  }

  /**
   * A string option.
   *
   * @param description what the option means, for people and tools
   * @return a new JSON Schema node
   */
  public static ObjectNode string(String description) {
    return F.objectNode().put("type", "string").put("description", description);
  }

  /**
   * A string option with a default.
   *
   * @param description what the option means
   * @param defaultValue the value used when the option is absent
   * @return a new JSON Schema node
   */
  public static ObjectNode string(String description, String defaultValue) {
    return string(description).put("default", defaultValue);
  }

  /**
   * An integer option with a default and a lower bound.
   *
   * @param description what the option means
   * @param defaultValue the value used when the option is absent
   * @param minimum the smallest value allowed (inclusive)
   * @return a new JSON Schema node
   */
  public static ObjectNode integer(String description, long defaultValue, long minimum) {
    return F.objectNode()
        .put("type", "integer")
        .put("description", description)
        .put("default", defaultValue)
        .put("minimum", minimum);
  }

  /**
   * A number option (integer or decimal).
   *
   * @param description what the option means
   * @return a new JSON Schema node
   */
  public static ObjectNode number(String description) {
    return F.objectNode().put("type", "number").put("description", description);
  }

  /**
   * A boolean option with a default.
   *
   * @param description what the option means
   * @param defaultValue the value used when the option is absent
   * @return a new JSON Schema node
   */
  public static ObjectNode bool(String description, boolean defaultValue) {
    return F.objectNode()
        .put("type", "boolean")
        .put("description", description)
        .put("default", defaultValue);
  }

  /**
   * A duration such as {@code 500ms}, {@code 30s}, {@code 5m} or ISO-8601 {@code PT30S}.
   *
   * @param description what the option means
   * @param defaultValue the value used when the option is absent, e.g. {@code 30s}; null for none
   * @return a new JSON Schema node (a string with a pattern)
   */
  public static ObjectNode duration(String description, String defaultValue) {
    ObjectNode n = F.objectNode();
    n.put("type", "string")
        .put("pattern", "^(\\d+\\s*(ms|s|m|h|d)|P.*)$")
        .put("description", description);
    if (defaultValue != null) {
      n.put("default", defaultValue);
    }
    return n;
  }

  /**
   * A string option restricted to the given values.
   *
   * @param description what the option means
   * @param values the allowed values
   * @return a new JSON Schema node
   */
  public static ObjectNode enumOf(String description, String... values) {
    ObjectNode n = F.objectNode().put("type", "string").put("description", description);
    ArrayNode e = n.putArray("enum");
    for (String v : values) {
      e.add(v);
    }
    return n;
  }

  /**
   * A list-of-strings option.
   *
   * @param description what the option means
   * @return a new JSON Schema node
   */
  public static ObjectNode stringList(String description) {
    ObjectNode n = F.objectNode().put("type", "array").put("description", description);
    n.putObject("items").put("type", "string");
    return n;
  }

  /**
   * A secret: a string that tools must never echo.
   *
   * @param description what the option means
   * @return a new JSON Schema node (a string marked {@code writeOnly})
   */
  public static ObjectNode secret(String description) {
    return string(description).put("writeOnly", true);
  }

  /** Builds an object schema. Not thread-safe. */
  public static final class ObjectBuilder {
    private final ObjectNode schema = F.objectNode();
    private final ObjectNode properties;
    private final ArrayNode required;

    private ObjectBuilder() {
      schema.put("type", "object");
      properties = schema.putObject("properties");
      required = F.arrayNode();
    }

    /**
     * Describes the object as a whole.
     *
     * @param description what the plugin does or the object means
     * @return this builder
     */
    public ObjectBuilder description(String description) {
      schema.put("description", description);
      return this;
    }

    /**
     * Adds an option that must be present.
     *
     * @param name the option's name
     * @param propertySchema the option's schema, e.g. from {@link ConfigSchemas#string(String)}
     * @return this builder
     */
    public ObjectBuilder required(String name, ObjectNode propertySchema) {
      properties.set(name, Objects.requireNonNull(propertySchema));
      required.add(name);
      return this;
    }

    /**
     * Adds an option that may be absent.
     *
     * @param name the option's name
     * @param propertySchema the option's schema
     * @return this builder
     */
    public ObjectBuilder optional(String name, ObjectNode propertySchema) {
      properties.set(name, Objects.requireNonNull(propertySchema));
      return this;
    }

    /**
     * The schema built so far; unknown options are rejected ({@code additionalProperties: false}).
     *
     * @return a new JSON Schema node; the builder may be used on
     */
    public ObjectNode build() {
      ObjectNode out = schema.deepCopy();
      if (!required.isEmpty()) {
        out.set("required", required.deepCopy());
      }
      out.put("additionalProperties", false);
      return out;
    }
  }
}
