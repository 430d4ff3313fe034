package dev.sluice.internal.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin (a jar, or a folder of jars): child-first, like Kafka Connect's
 * {@code PluginClassLoader}.
 *
 * <ul>
 *   <li>The JDK's classes always come from the platform.
 *   <li>The host's API packages ({@link #HOST_PACKAGES}: Sluice itself, Jackson, SLF4J, Micrometer,
 *       all of which appear in the SPI's signatures) come from the parent first, so a plugin and the
 *       host agree on {@code Record}, {@code ObjectNode} or {@code MeterRegistry}; a class of such a
 *       package that only the plugin has (its own {@code dev.sluice.connectors.acme}) comes from the
 *       plugin.
 *   <li>Everything else comes from the plugin's own jars first, and from the parent only when the
 *       plugin doesn't carry it: a plugin's Guava or HTTP client never meets another plugin's.
 *   <li>{@code META-INF/services/dev.sluice.spi.*} files are the plugin's own only, so discovery
 *       through this loader finds the plugin's providers and not the host's again.
 * </ul>
 *
 * <p>Thread-safe (parallel capable).
 */
public final class PluginClassLoader extends URLClassLoader {
  static {
    ClassLoader.registerAsParallelCapable();
  }

  /** Package prefixes the host provides; a plugin's copies of them are ignored. */
  public static final List<String> HOST_PACKAGES = List.of(
      "dev.sluice.", "com.fasterxml.jackson.", "org.slf4j.", "io.micrometer.");

  private static final String SPI_SERVICES = "META-INF/services/dev.sluice.spi.";

  private final Path location;
  private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

  /**
   * @param location the plugin's jar or folder, for messages
   * @param jars the plugin's jars
   * @param parent the host's class loader
   */
  public PluginClassLoader(Path location, List<URL> jars, ClassLoader parent) {
    super("sluice-plugin[" + location.getFileName() + "]", jars.toArray(new URL[0]), parent);
    this.location = location;
  }

  /**
   * The jar or folder this loader reads.
   *
   * @return the location
   */
  public Path location() {
    return location;
  }

  /**
   * Whether {@code className} belongs to a package the host provides.
   *
   * @param className a fully qualified class name
   * @return true for a class looked up in the host first
   */
  public static boolean isHostClass(String className) {
    for (String prefix : HOST_PACKAGES) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isHostResource(String name) {
    return isHostClass(name.replace('/', '.'));
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        c = loadUnresolved(name);
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  private Class<?> loadUnresolved(String name) throws ClassNotFoundException {
    try {
      return platform.loadClass(name);
    } catch (ClassNotFoundException notJdk) {
      // not a JDK class: go on
    }
    if (isHostClass(name)) {
      try {
        return getParent().loadClass(name);
      } catch (ClassNotFoundException notHost) {
        return findClass(name);
      }
    }
    try {
      return findClass(name);
    } catch (ClassNotFoundException notOwn) {
      return getParent().loadClass(name);
    }
  }

  @Override
  public URL getResource(String name) {
    if (isHostResource(name)) {
      URL url = getParent().getResource(name);
      return url != null ? url : findResource(name);
    }
    URL own = findResource(name);
    return own != null ? own : getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    if (!name.startsWith(SPI_SERVICES)) {
      all.addAll(Collections.list(getParent().getResources(name)));
    }
    return Collections.enumeration(all);
  }

  @Override
  public String toString() {
    return getName() + " " + location;
  }
}
