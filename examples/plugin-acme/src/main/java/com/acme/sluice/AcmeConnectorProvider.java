package com.acme.sluice;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;

/**
 * The {@code acme} connector: reads the Acme item feed, {@code count} items numbered from 1, and
 * resumes after the last item a checkpoint covers. Registered in {@code
 * META-INF/services/dev.sluice.spi.ConnectorProvider}.
 *
 * <p>Stateless and thread-safe, as every provider must be: it has a public no-argument constructor
 * and does no I/O until {@link #create}.
 */
public final class AcmeConnectorProvider implements ConnectorProvider {
  @Override
  public String type() {
    return "acme";
  }

  @Override
  public String description() {
    return "Acme item feed (example plugin)";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .description("Reads Acme items 1..count; incremental: a checkpoint holds the last item read.")
        .optional("count", ConfigSchemas.integer("how many items the feed holds", 10, 0))
        .optional("keyPrefix", ConfigSchemas.string("prefix of each record key", "item-"))
        .optional("checkpointEvery", ConfigSchemas.integer("emit a checkpoint after this many items", 100, 1))
        .build();
  }

  @Override
  public Connector create(PluginConfig config, PluginContext context) {
    // PluginConfig checks each value and names the option and the owner when one is wrong.
    long count = config.longValue("count", 10, 0, Integer.MAX_VALUE);
    String keyPrefix = config.string("keyPrefix", "item-");
    int checkpointEvery = config.intValue("checkpointEvery", 100, 1, Integer.MAX_VALUE);
    return new AcmeConnector(count, keyPrefix, checkpointEvery);
  }
}
