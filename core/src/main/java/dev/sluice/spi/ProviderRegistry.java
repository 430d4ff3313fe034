package dev.sluice.spi;

import java.net.URISyntaxException;
import java.net.URL;
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
 * <p>Immutable once built; thread-safe.
 */
public final class ProviderRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]*");
  static final String EXPLICIT = "registered explicitly";

  private final Map<PluginKind, Map<String, PluginInfo>> byKind;
  private final List<String> skipped;

  private ProviderRegistry(Map<PluginKind, Map<String, PluginInfo>> byKind, List<String> skipped) {
    this.byKind = byKind;
    this.skipped = skipped;
  }

  /**
   * Discovers providers of every kind on {@code classLoader} and adds {@code explicit} ones.
   *
   * @throws DuplicateProviderException when two providers claim one type
   */
  public static ProviderRegistry discover(
      ClassLoader classLoader, Collection<? extends PluginProvider<?>> explicit) {
    Map<PluginKind, Map<String, PluginInfo>> byKind = new EnumMap<>(PluginKind.class);
    List<String> skipped = new ArrayList<>();
    for (PluginKind kind : PluginKind.values()) {
      byKind.put(kind, new TreeMap<>());
      for (PluginProvider<?> provider : load(kind, classLoader, skipped)) {
        add(byKind, describe(kind, provider, false));
      }
    }
    for (PluginProvider<?> provider : explicit) {
      add(byKind, describe(PluginKind.of(provider), provider, true));
    }
    Map<PluginKind, Map<String, PluginInfo>> frozen = new EnumMap<>(PluginKind.class);
    byKind.forEach((k, v) -> frozen.put(k, Collections.unmodifiableMap(v)));
    return new ProviderRegistry(frozen, List.copyOf(skipped));
  }

  /** The provider of {@code type} for {@code kind}. */
  public <P extends PluginProvider<?>> Optional<P> find(PluginKind kind, String type) {
    PluginInfo info = byKind.get(kind).get(type);
    @SuppressWarnings("unchecked")
    P provider = info == null ? null : (P) info.provider();
    return Optional.ofNullable(provider);
  }

  /**
   * The provider of {@code type} for {@code kind}.
   *
   * @param owner what asks, for the message: {@code "destination 'alerts'"}
   * @throws UnknownPluginTypeException listing the known types
   */
  public <P extends PluginProvider<?>> P require(PluginKind kind, String type, String owner) {
    return this.<P>find(kind, type)
        .orElseThrow(
            () -> new UnknownPluginTypeException(owner, kind, type, byKind.get(kind).keySet()));
  }

  /** Every provider, by kind then type. */
  public List<PluginInfo> all() {
    List<PluginInfo> out = new ArrayList<>();
    byKind.values().forEach(m -> out.addAll(m.values()));
    return out;
  }

  /** Providers of one kind, by type. */
  public Collection<PluginInfo> of(PluginKind kind) {
    return byKind.get(kind).values();
  }

  /** Why providers were skipped during discovery, one line each. */
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
    return new PluginInfo(
        kind,
        type,
        version == null ? "unknown" : version,
        explicit ? EXPLICIT : location(provider.getClass()),
        provider.description() == null ? "" : provider.description(),
        provider);
  }

  private static void add(Map<PluginKind, Map<String, PluginInfo>> byKind, PluginInfo info) {
    PluginInfo previous = byKind.get(info.kind()).putIfAbsent(info.type(), info);
    if (previous != null && previous.provider().getClass() != info.provider().getClass()) {
      throw new DuplicateProviderException(previous, info);
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
