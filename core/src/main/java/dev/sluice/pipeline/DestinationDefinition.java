package dev.sluice.pipeline;

import dev.sluice.delivery.DeliverySettings;
import dev.sluice.spi.Destination;
import java.util.Objects;

/**
 * A named destination and how records are delivered to it.
 *
 * @param name unique, never null
 * @param spec the plugin type and options, or an instance; never null
 * @param delivery batching and retry settings, never null
 */
public record DestinationDefinition(
    String name, PluginSpec<Destination> spec, DeliverySettings delivery) {
  /**
   * Validates the components.
   *
   * @param name unique, never null
   * @param spec the plugin type and options, or an instance; never null
   * @param delivery batching and retry settings, never null
   * @throws IllegalArgumentException when {@code name} is not a valid destination name
   * @throws NullPointerException when {@code spec} or {@code delivery} is null
   */
  public DestinationDefinition {
    Names.check("destination", name);
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(delivery, "delivery");
  }
}
