package dev.sluice.spi;

import dev.sluice.internal.plugins.PluginClassLoader;
import dev.sluice.internal.plugins.PluginLocations;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin provider known to one Sluice instance: those found by {@link ServiceLoader} on a
 * class loader, plus those registered explicitly.
 *
 * <p>A provider that fails to load (a broken or incompatible jar) is logged and skipped: one bad
 * plugin never stops start-up. Two providers claiming the same type of the same kind are an error
 * that names both jars.
 *
 * <p>Plugins on a <em>plugin path</em> (see {@link #discover(ClassLoader, Collection, List)}) are
 * isolated: each jar, or each folder of jars, gets its own child-first class loader whose parent is
 * the host's. The plugin's own dependencies win over the host's, except for the packages the SPI is
 * made of, which always come from the host: {@code dev.sluice}, Jackson ({@code
 * com.fasterxml.jackson}), SLF4J ({@code org.slf4j}) and Micrometer ({@code io.micrometer}), and
 * the JDK. Two plugins may thus carry conflicting versions of one library. The class loaders live
 * as long as the JVM (like Kafka Connect's).
 *
 * <p>Immutable once built; thread-safe.
 */
public final class ProviderRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]*");
  static final String EXPLICIT = "registered explicitly";

  private final Map<PluginKind, Map<String, PluginInfo>> byKind;
  private final List<String> skipped;
  private final List<InstalledPlugin> installed;

  private ProviderRegistry(
      Map<PluginKind, Map<String, PluginInfo>> byKind, List<String> skipped, List<InstalledPlugin> installed) {
    this.byKind = byKind;
    this.skipped = skipped;
    this.installed = installed;
  }

  /**
   * Discovers providers of every kind on {@code classLoader} and adds {@code explicit} ones.
   *
   * @param classLoader the class loader to search with {@link java.util.ServiceLoader}
   * @param explicit providers the host supplies directly
   * @return the registry, immutable
   * @throws DuplicateProviderException when two providers claim one type
   */
  public static ProviderRegistry discover(
      ClassLoader classLoader, Collection<? extends PluginProvider<?>> explicit) {
    return discover(classLoader, explicit, List.of());
  }

  /**
   * Discovers providers of every kind on {@code classLoader}, then in the plugins of each plugin
   * path, each plugin in its own class loader, and adds {@code explicit} ones.
   *
   * <p>A plugin path is a folder in which every {@code *.jar} is one plugin and every sub-folder is
   * one plugin made of all the jars under it (the plugin jar and its dependencies); a path that is a
   * jar is one plugin. A plugin that can't be read, or whose providers fail to load, is listed in
   * {@link #installed()} and {@link #skipped()} with the reason, and the others load.
   *
   * @param classLoader the host's class loader: discovered itself, and the parent of every plugin's
   * @param explicit providers the host supplies directly
   * @param pluginPaths plugin folders (or jars); each must exist
   * @return the registry, immutable
   * @throws DuplicateProviderException when two providers claim one type (the message names both
   *     jars)
   * @throws IllegalArgumentException when a plugin path is neither a folder nor a jar
   */
  public static ProviderRegistry discover(
      ClassLoader classLoader, Collection<? extends PluginProvider<?>> explicit, List<Path> pluginPaths) {
    Map<PluginKind, Map<String, PluginInfo>> byKind = new EnumMap<>(PluginKind.class);
    List<String> skipped = new ArrayList<>();
    for (PluginKind kind : PluginKind.values()) {
      byKind.put(kind, new TreeMap<>());
      for (PluginProvider<?> provider : load(kind, classLoader, skipped)) {
        add(byKind, describe(kind, provider, false));
      }
    }
    List<InstalledPlugin> installed = new ArrayList<>();
    for (Path pluginPath : pluginPaths) {
      for (PluginLocations.Location location : PluginLocations.scan(pluginPath)) {
        InstalledPlugin plugin = install(location, classLoader);
        installed.add(plugin);
        plugin.problems().forEach(p -> skipped.add(plugin.path() + ": " + p));
        for (PluginInfo info : plugin.providers()) {
          add(byKind, info);
        }
      }
    }
    for (PluginProvider<?> provider : explicit) {
      add(byKind, describe(PluginKind.of(provider), provider, true));
    }
    Map<PluginKind, Map<String, PluginInfo>> frozen = new EnumMap<>(PluginKind.class);
    byKind.forEach((k, v) -> frozen.put(k, Collections.unmodifiableMap(v)));
    return new ProviderRegistry(frozen, List.copyOf(skipped), List.copyOf(installed));
  }

  private static InstalledPlugin install(PluginLocations.Location location, ClassLoader parent) {
    if (location.problem() != null) {
      LOG.warn("plugin {} skipped: {}", location.path(), location.problem());
      return new InstalledPlugin(location.path(), "unknown", List.of(), List.of(location.problem()));
    }
    PluginClassLoader loader = new PluginClassLoader(location.path(), location.jars(), parent);
    List<String> problems = new ArrayList<>();
    List<PluginInfo> infos = new ArrayList<>();
    for (PluginKind kind : PluginKind.values()) {
      for (PluginProvider<?> provider : load(kind, loader, problems)) {
        try {
          infos.add(describe(kind, provider, false));
        } catch (RuntimeException | LinkageError e) {
          String why = kind.label() + " provider " + provider.getClass().getName() + " skipped: " + e;
          problems.add(why);
          LOG.warn("plugin {}: {}", location.path(), why);
        }
      }
    }
    if (infos.isEmpty() && problems.isEmpty()) {
      problems.add("no Sluice provider in it (no META-INF/services/dev.sluice.spi.* file names one)");
    }
    String version = infos.isEmpty() ? null : infos.get(0).version();
    if (version == null || "unknown".equals(version)) {
      version = Files.isRegularFile(location.path()) ? PluginLocations.version(location.path()) : null;
    }
    if (infos.isEmpty()) {
      try {
        loader.close();
      } catch (IOException e) {
        LOG.debug("closing the class loader of {} failed", location.path(), e);
      }
    }
    return new InstalledPlugin(location.path(), version == null ? "unknown" : version, infos, problems);
  }

  /**
   * The provider of {@code type} for {@code kind}.
   *
   * @param <P> the provider interface of {@code kind}
   * @param kind the kind of plugin
   * @param type the plugin type
   * @return the provider, or empty when none offers {@code type}
   */
  public <P extends PluginProvider<?>> Optional<P> find(PluginKind kind, String type) {
    PluginInfo info = byKind.get(kind).get(type);
    @SuppressWarnings("unchecked")
    P provider = info == null ? null : (P) info.provider();
    return Optional.ofNullable(provider);
  }

  /**
   * The provider of {@code type} for {@code kind}.
   *
   * @param <P> the provider interface of {@code kind}
   * @param kind the kind of plugin
   * @param type the plugin type
   * @param owner what asks, for the message: {@code "destination 'alerts'"}
   * @return the provider
   * @throws UnknownPluginTypeException listing the known types
   */
  public <P extends PluginProvider<?>> P require(PluginKind kind, String type, String owner) {
    return this.<P>find(kind, type)
        .orElseThrow(
            () -> new UnknownPluginTypeException(owner, kind, type, byKind.get(kind).keySet()));
  }

  /**
   * Every provider, by kind then type.
   *
   * @return a new list
   */
  public List<PluginInfo> all() {
    List<PluginInfo> out = new ArrayList<>();
    byKind.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  /**
   * Providers of one kind, by type.
   *
   * @param kind the kind of plugin
   * @return an unmodifiable view, ordered by type
   */
  public Collection<PluginInfo> of(PluginKind kind) {
    return byKind.get(kind).values();
  }

  /**
   * The plugins found on the plugin paths, in the order found, with their providers and problems;
   * empty when discovery had no plugin path.
   *
   * @return an unmodifiable list
   */
  public List<InstalledPlugin> installed() {
    return installed;
  }

  /**
   * Why providers were skipped during discovery, one line each.
   *
   * @return an unmodifiable list
   */
  public List<String> skipped() {
    return skipped;
  }

  private static List<PluginProvider<?>> load(
      PluginKind kind, ClassLoader classLoader, List<String> skipped) {
    List<PluginProvider<?>> found = new ArrayList<>();
    Iterator<? extends PluginProvider<?>> it =
        ServiceLoader.load(kind.providerType(), classLoader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError | LinkageError e) {
        // A broken or incompatible plugin jar: report it, keep the others.
        String why = kind.label() + " provider skipped: " + e;
        skipped.add(why);
        LOG.warn("{}", why);
      }
    }
    return found;
  }

  private static PluginInfo describe(PluginKind kind, PluginProvider<?> provider, boolean explicit) {
    String type = provider.type();
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException(
          provider.getClass().getName() + " declares an invalid " + kind.label() + " type '"
              + type + "': use lower-case letters, digits and dashes, starting with a letter");
    }
    Package pkg = provider.getClass().getPackage();
    String version = pkg == null ? null : pkg.getImplementationVersion();
    String location = explicit ? EXPLICIT : location(provider.getClass());
    if (version == null && !explicit) {
      version = versionOf(provider.getClass());
    }
    return new PluginInfo(
        kind,
        type,
        version == null ? "unknown" : version,
        location,
        provider.description() == null ? "" : provider.description(),
        provider);
  }

  private static void add(Map<PluginKind, Map<String, PluginInfo>> byKind, PluginInfo info) {
    PluginInfo previous = byKind.get(info.kind()).putIfAbsent(info.type(), info);
    if (previous != null && previous.provider().getClass() != info.provider().getClass()) {
      throw new DuplicateProviderException(previous, info);
    }
  }

  private static String versionOf(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    URL url = source == null ? null : source.getLocation();
    try {
      return url != null && "file".equals(url.getProtocol())
          ? PluginLocations.version(Path.of(url.toURI()))
          : null;
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  static String location(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    URL url = source == null ? null : source.getLocation();
    if (url == null) {
      return "unknown location";
    }
    try {
      return "file".equals(url.getProtocol()) ? Path.of(url.toURI()).toString() : url.toString();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return url.toString();
    }
  }
}
