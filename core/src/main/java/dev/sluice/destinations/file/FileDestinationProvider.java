package dev.sluice.destinations.file;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.file.FileFormat;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@code file} destination: JSON Lines or CSV, appended batch by batch or replaced per run,
 * each record published exactly once (see {@link FileDestination}).
 *
 * <p>Options: {@code path} (required; may contain {@code {pipeline}}, {@code {run}}, {@code
 * {date}}, {@code {time}}), {@code format} ({@code jsonl} or {@code csv}, default from the name),
 * {@code mode} ({@code overwrite} or {@code append}, default overwrite), {@code columns} (CSV;
 * default: the existing target's header in append mode, else the first record's fields), {@code
 * sync} (fsync every batch and its journal entry, default true), {@code
 * includeMetadata} (JSON Lines: wrap data with key, source and time; default false).
 */
public final class FileDestinationProvider implements DestinationProvider {

  @Override
  public String type() {
    return "file";
  }

  @Override
  public String description() {
    return "writes JSON Lines or CSV files: appended batch by batch or replaced per run, each record once";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .required("path", ConfigSchemas.string("Target file; may contain {pipeline}, {run}, {date}, {time}."))
        .optional("format", ConfigSchemas.enumOf("Format; default from the file name.", "jsonl", "csv"))
        .optional("mode", ConfigSchemas.enumOf("Replace the target each run, or append to it.", "overwrite", "append"))
        .optional("columns", ConfigSchemas.stringList("CSV columns (top-level fields); default: the existing target's header (append), else the first record's fields."))
        .optional("sync", ConfigSchemas.bool("Force every batch and its journal entry to disk before acknowledging it.", true))
        .optional("includeMetadata", ConfigSchemas.bool("JSON Lines: write key, source, observedAt and attributes around the data.", false))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    String path = config.string("path");
    FileFormat format = config.enumValue("format", FileFormat.class, FileFormat.fromFileName(path));
    if (format == null || format == FileFormat.JSON) {
      throw new PluginConfigException(config.owner() + ": option 'format' must be jsonl or csv"
          + (format == null ? " (the file name '" + path + "' does not tell)" : ""));
    }
    FileDestination destination = new FileDestination(
        context.name(),
        path,
        format,
        config.enumValue("mode", FileDestination.Mode.class, FileDestination.Mode.OVERWRITE),
        config.stringList("columns"),
        config.bool("sync", true),
        config.bool("includeMetadata", false),
        context.objectMapper(),
        context.clock());
    try {
      destination.recoverInterruptedRuns();
    } catch (IOException e) {
      throw new UncheckedIOException(config.owner() + ": recovering files of interrupted runs failed", e);
    }
    return destination;
  }
}
