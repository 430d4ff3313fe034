package dev.sluice.connectors.file;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.nio.file.Path;

/**
 * The {@code file} connector: reads JSON Lines, a JSON array or CSV from one file.
 *
 * <p>Options: {@code path} (required), {@code format} ({@code jsonl}, {@code json}, {@code csv};
 * default from the file name), {@code key} (field holding the record key; default: the position
 * in the file), {@code checkpointEvery} (default 1000), {@code delimiter} (CSV, default {@code ,}),
 * {@code inferTypes} (CSV: numbers, booleans and empty cells as JSON types, default true), {@code
 * onMalformed} ({@code dead-letter} or {@code fail}, default dead-letter).
 */
public final class FileConnectorProvider implements ConnectorProvider {

  @Override
  public String type() {
    return "file";
  }

  @Override
  public String description() {
    return "reads JSON Lines, a JSON array or CSV from a file, resuming where the last run stopped";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .required("path", ConfigSchemas.string("The file to read. Relative paths resolve against the working directory."))
        .optional("format", ConfigSchemas.enumOf("Format; default from the file name (.jsonl, .ndjson, .json, .csv, optionally .gz).", "jsonl", "json", "csv"))
        .optional("key", ConfigSchemas.string("Field holding the record key, e.g. id or $.customer.id. Default: the record's position in the file."))
        .optional("checkpointEvery", ConfigSchemas.integer("Records between checkpoints.", 1000, 1))
        .optional("delimiter", ConfigSchemas.string("CSV cell separator (one character).", ","))
        .optional("inferTypes", ConfigSchemas.bool("CSV: turn numbers, true/false and empty cells into JSON types.", true))
        .optional("onMalformed", ConfigSchemas.enumOf("What to do with input that is not a record.", "dead-letter", "fail"))
        .build();
  }

  @Override
  public Connector create(PluginConfig config, PluginContext context) {
    String path = config.string("path");
    FileFormat format = config.enumValue("format", FileFormat.class, FileFormat.fromFileName(path));
    if (format == null) {
      throw new PluginConfigException(config.owner() + ": option 'format' is required because the"
          + " file name '" + path + "' does not tell (use jsonl, json or csv)");
    }
    String delimiter = config.string("delimiter", ",");
    if (delimiter.length() != 1) {
      throw config.invalid("delimiter", "a single character", config.node("delimiter").orElseThrow());
    }
    String key = config.optionalString("key").orElse(null);
    try {
      return new FileConnector(
          Path.of(path),
          format,
          key,
          config.intValue("checkpointEvery", 1000, 1, Integer.MAX_VALUE),
          delimiter.charAt(0),
          config.bool("inferTypes", true),
          config.enumValue("onMalformed", FileConnector.OnMalformed.class, FileConnector.OnMalformed.DEAD_LETTER),
          context.objectMapper());
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": " + e.getMessage(), e);
    }
  }
}
