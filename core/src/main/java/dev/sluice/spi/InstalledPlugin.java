package dev.sluice.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One plugin found on a plugin path ({@code --plugins DIR}, {@code Sluice.builder().pluginPath(..)}):
 * a jar, or a folder of jars, loaded in its own class loader. What {@code sluice plugins} lists.
 *
 * <p>Immutable; thread-safe.
 *
 * @param path the plugin's jar or folder; never null
 * @param version the plugin jar's {@code Implementation-Version} (or the version in its Maven
 *     {@code pom.properties}); {@code "unknown"} when it has neither; never null
 * @param providers the providers it contributes; empty when it could not be loaded; never null
 * @param problems why the plugin, or some of its providers, were skipped, one line each (a jar that
 *     can't be read, a provider class that fails to load); empty when all is well; never null
 */
public record InstalledPlugin(Path path, String version, List<PluginInfo> providers, List<String> problems) {
  /**
   * Checks the components and copies the lists.
   *
   * @param path the plugin's jar or folder; never null
   * @param version the plugin jar's version; {@code "unknown"} when it has none; never null
   * @param providers the providers it contributes; empty when it could not be loaded; never null
   * @param problems why the plugin, or some of its providers, were skipped, one line each; never
   *     null
   */
  public InstalledPlugin {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(version, "version");
    providers = List.copyOf(providers);
    problems = List.copyOf(problems);
  }

  /**
   * Whether it contributes at least one provider.
   *
   * @return true when {@link #providers()} is not empty
   */
  public boolean loaded() {
    return !providers.isEmpty();
  }
}
