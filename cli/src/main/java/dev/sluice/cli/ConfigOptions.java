package dev.sluice.cli;

import dev.sluice.config.ConfigLoader;
import dev.sluice.spi.ProviderRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options every command that reads a configuration shares. */
final class ConfigOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file (YAML or JSON); repeat to merge several, later wins. Default: ./sluice.yaml")
  List<Path> files = new ArrayList<>();

  @Option(names = "--plugins", paramLabel = "DIR",
      description = "A folder of plugins: each jar, and each sub-folder of jars (a plugin with its dependencies), is loaded in its own class loader.")
  Path pluginsDir;

  private ProviderRegistry registry;

  List<Path> files() {
    return files.isEmpty() ? List.of(Path.of("sluice.yaml")) : files;
  }

  /**
   * Providers on the class path plus those in {@code --plugins}: each jar, or each folder of jars,
   * there in its own class loader.
   */
  ProviderRegistry registry() throws IOException {
    if (registry == null) {
      if (pluginsDir != null && !Files.isDirectory(pluginsDir)) {
        throw new IOException("--plugins " + pluginsDir + " is not a folder");
      }
      registry = ProviderRegistry.discover(
          SluiceCli.class.getClassLoader(), List.of(), pluginsDir == null ? List.of() : List.of(pluginsDir));
    }
    return registry;
  }

  ConfigLoader loader() throws IOException {
    return ConfigLoader.create(registry());
  }
}
