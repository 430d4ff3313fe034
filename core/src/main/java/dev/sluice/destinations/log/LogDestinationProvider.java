package dev.sluice.destinations.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import org.slf4j.event.Level;

/**
 * The {@code log} destination. Options: {@code level} ({@code trace} … {@code error}, default
 * info), {@code maxChars} (default 2000).
 */
public final class LogDestinationProvider implements DestinationProvider {

  @Override
  public String type() {
    return "log";
  }

  @Override
  public String description() {
    return "logs each record (key and JSON) through SLF4J";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .optional("level", ConfigSchemas.enumOf("Log level.", "trace", "debug", "info", "warn", "error"))
        .optional("maxChars", ConfigSchemas.integer("Longest JSON logged per record.", 2000, 16))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    return new LogDestination(
        context.name(),
        config.enumValue("level", Level.class, Level.INFO),
        config.intValue("maxChars", 2000, 16, Integer.MAX_VALUE));
  }
}
