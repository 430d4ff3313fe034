package dev.sluice.connectors.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.FieldPath;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;

/**
 * The {@code webhook} connector: emits the records of the payload of a webhook-triggered run (see
 * {@link WebhookConnector}).
 *
 * <p>Options: {@code key} (field holding the record key, e.g. {@code id} or {@code
 * $.customer.id}; default: a hash of the record), {@code records} (field of the payload holding
 * the records, e.g. {@code events}; default: the payload itself).
 */
public final class WebhookConnectorProvider implements ConnectorProvider {

  @Override
  public String type() {
    return "webhook";
  }

  @Override
  public String description() {
    return "emits the records of an inbound webhook payload (an object, or an array of objects)";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .optional("key", ConfigSchemas.string("Field holding the record key, e.g. id or $.customer.id. Default: a hash of the record's JSON."))
        .optional("records", ConfigSchemas.string("Field of the payload holding the records, e.g. events or data.object. Default: the payload itself."))
        .build();
  }

  @Override
  public Connector create(PluginConfig config, PluginContext context) {
    try {
      return new WebhookConnector(
          config.optionalString("key").map(FieldPath::parseDotted).orElse(null),
          config.optionalString("records").map(FieldPath::parseDotted).orElse(null));
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": " + e.getMessage(), e);
    }
  }
}
