package dev.sluice.cli;

import dev.sluice.config.ConfigLoader;
import dev.sluice.spi.ProviderRegistry;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/** The options every command that reads a configuration shares. */
final class ConfigOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Configuration file (YAML or JSON); repeat to merge several, later wins. Default: ./sluice.yaml")
  List<Path> files = new ArrayList<>();

  @Option(names = "--plugins", paramLabel = "DIR",
      description = "A folder of extra plugin jars, loaded in their own class loader.")
  Path pluginsDir;

  private ProviderRegistry registry;

  List<Path> files() {
    return files.isEmpty() ? List.of(Path.of("sluice.yaml")) : files;
  }

  /** Providers on the class path plus those in {@code --plugins}. */
  ProviderRegistry registry() throws IOException {
    if (registry == null) {
      registry = ProviderRegistry.discover(classLoader(), List.of());
    }
    return registry;
  }

  ConfigLoader loader() throws IOException {
    return ConfigLoader.create(registry());
  }

  private ClassLoader classLoader() throws IOException {
    ClassLoader parent = SluiceCli.class.getClassLoader();
    if (pluginsDir == null) {
      return parent;
    }
    if (!Files.isDirectory(pluginsDir)) {
      throw new IOException("--plugins " + pluginsDir + " is not a folder");
    }
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(pluginsDir)) {
      for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
        jars.add(url(jar));
      }
    }
    return new URLClassLoader("sluice-plugins", jars.toArray(new URL[0]), parent);
  }

  private static URL url(Path jar) throws MalformedURLException {
    return jar.toUri().toURL();
  }
}
