package dev.sluice.destinations.notify.internal;

import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a template option given inline ({@code text}) or as a file ({@code textFile}, a path
 * relative to the working directory), and compiles it; errors name the file and the line. Not API.
 */
public final class TemplateOptions {
  private static final long MAX_FILE = 1 << 20;

  private TemplateOptions() {}

  /** Whether {@code option} or {@code option + "File"} is given. */
  public static boolean has(PluginConfig config, String option) {
    return config.has(option) || config.has(option + "File");
  }

  /**
   * The compiled template of {@code option} (inline) or {@code option + "File"}, or null when
   * neither is given.
   *
   * @throws PluginConfigException when both are given, the file can't be read, or the template is invalid
   */
  public static NotifyTemplate compile(PluginConfig config, String option, Escaping escaping) {
    String fileOption = option + "File";
    if (config.has(option) && config.has(fileOption)) {
      throw new PluginConfigException(config.owner() + ": give '" + option + "' or '" + fileOption + "', not both");
    }
    if (config.has(option)) {
      return NotifyTemplate.compile(config.owner() + ": option '" + option + "'", config.string(option), escaping);
    }
    if (!config.has(fileOption)) {
      return null;
    }
    Path file = Path.of(config.string(fileOption));
    String source;
    try {
      if (Files.size(file) > MAX_FILE) {
        throw new PluginConfigException(config.owner() + ": option '" + fileOption + "': " + file
            + " is larger than 1 MiB");
      }
      source = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PluginConfigException(config.owner() + ": option '" + fileOption + "': can't read template file "
          + file.toAbsolutePath() + " (" + e.getClass().getSimpleName() + ")");
    }
    return NotifyTemplate.compile(config.owner() + ": option '" + fileOption + "', " + file, source, escaping);
  }
}
