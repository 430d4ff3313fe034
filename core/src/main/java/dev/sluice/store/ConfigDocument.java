package dev.sluice.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A stored configuration: a pipeline, destination or rule definition in its configuration-file
 * form, as managed through the REST API.
 *
 * @param kind never null
 * @param name unique per kind, never null
 * @param spec the definition as JSON (same shape as in the YAML file), never null
 * @param version increases by one on every change, starting at 1; used for optimistic locking
 * @param updatedAt never null
 */
public record ConfigDocument(Kind kind, String name, ObjectNode spec, long version, Instant updatedAt) {

  /** What a stored configuration defines. */
  public enum Kind {
    /** A pipeline definition. */
    PIPELINE,
    /** A destination definition. */
    DESTINATION,
    /** A rule definition. */
    RULE
  }

  /**
   * Checks the components and copies the spec.
   *
   * @param kind never null
   * @param name unique per kind, never null
   * @param spec the definition as JSON, never null
   * @param version the version
   * @param updatedAt never null
   * @throws NullPointerException when a required component is null
   */
  public ConfigDocument {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    spec = Objects.requireNonNull(spec, "spec").deepCopy();
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /**
   * The definition.
   *
   * @return a copy of the definition as JSON
   */
  @Override
  public ObjectNode spec() {
    return spec.deepCopy();
  }
}
