package dev.sluice.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * How to obtain a plugin instance: by type and options (resolved through the provider registry
 * when Sluice is built, the same for builder and configuration file), or an instance the host
 * made itself.
 *
 * <p>Immutable. Two specs are equal when they name the same type with equal options, or hold the
 * same instance.
 *
 * @param <T> the plugin interface, e.g. {@link dev.sluice.spi.Connector}
 */
public final class PluginSpec<T> {
  private final String type;
  private final ObjectNode options;
  private final T instance;

  private PluginSpec(String type, ObjectNode options, T instance) {
    this.type = type;
    this.options = options;
    this.instance = instance;
  }

  /**
   * A plugin of {@code type} created from {@code options} (deep-copied).
   *
   * @param <T> the plugin interface
   * @param type the plugin type, as its provider registers it; not blank
   * @param options the options; null means none
   * @return the spec
   * @throws IllegalArgumentException when {@code type} is null or blank
   */
  public static <T> PluginSpec<T> of(String type, ObjectNode options) {
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("plugin type must not be blank, got '" + type + "'");
    }
    return new PluginSpec<>(
        type, options == null ? JsonNodeFactory.instance.objectNode() : options.deepCopy(), null);
  }

  /**
   * An instance the host created; Sluice closes it when it closes.
   *
   * @param <T> the plugin interface
   * @param instance the plugin, not null
   * @return the spec
   */
  public static <T> PluginSpec<T> instance(T instance) {
    return new PluginSpec<>(null, null, Objects.requireNonNull(instance, "instance"));
  }

  /**
   * The type name, or the instance's class name for instances.
   *
   * @return the type, never null
   */
  public String type() {
    return instance != null ? instance.getClass().getName() : type;
  }

  /**
   * Whether this spec holds a ready instance rather than a type.
   *
   * @return true for an instance
   */
  public boolean isInstance() {
    return instance != null;
  }

  /**
   * The options (a copy); empty for instances.
   *
   * @return a new object, never null
   */
  public ObjectNode options() {
    return options == null ? JsonNodeFactory.instance.objectNode() : options.deepCopy();
  }

  /**
   * The instance the host created.
   *
   * @return the instance, or empty for a type with options
   */
  public Optional<T> instance() {
    return Optional.ofNullable(instance);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PluginSpec)) {
      return false;
    }
    PluginSpec<?> p = (PluginSpec<?>) o;
    return instance != null
        ? instance == p.instance
        : p.instance == null && type.equals(p.type) && options.equals(p.options);
  }

  @Override
  public int hashCode() {
    return instance != null ? System.identityHashCode(instance) : Objects.hash(type, options);
  }

  /** Type only: options may hold secrets. */
  @Override
  public String toString() {
    return instance != null ? "instance of " + type() : "type " + type;
  }
}
