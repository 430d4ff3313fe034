package ${package};

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import java.nio.file.Path;

/**
 * The {@code ${pluginType}} destination: appends each record to the ${classPrefix} ledger, a JSON Lines file, once
 * per idempotency key. Registered in {@code META-INF/services/dev.sluice.spi.DestinationProvider}.
 *
 * <p>Stateless and thread-safe; public no-argument constructor; no I/O until {@code create}.
 */
public final class ${classPrefix}DestinationProvider implements DestinationProvider {
  @Override
  public String type() {
    return "${pluginType}";
  }

  @Override
  public String description() {
    return "${classPrefix} ledger, one JSON line per record, deduplicated by idempotency key (a generated destination)";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .description("Appends records to a JSON Lines ledger, each idempotency key once.")
        .required("path", ConfigSchemas.string("the ledger file; its folder must exist"))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    return new ${classPrefix}Destination(Path.of(config.string("path")), context.objectMapper());
  }
}
