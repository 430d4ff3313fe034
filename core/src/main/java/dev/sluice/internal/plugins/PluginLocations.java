package dev.sluice.internal.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Finds the plugins of a plugin path: every {@code *.jar} directly in a plugins folder is one
 * plugin, and every sub-folder is one plugin made of all the jars under it (the plugin and its
 * dependencies). A path that is itself a jar is one plugin. Stateless.
 */
public final class PluginLocations {
  private PluginLocations() {}

  /**
   * One plugin found on the path.
   *
   * @param path the jar or folder
   * @param jars its readable jars; empty when {@code problem} is set
   * @param problem why it can't be loaded, or null
   */
  public record Location(Path path, List<URL> jars, String problem) {}

  /**
   * The plugins under {@code pluginPath}, sorted by name.
   *
   * @param pluginPath a plugins folder, or a single plugin jar
   * @return the plugins found; one that can't be read has its {@code problem} set
   * @throws IllegalArgumentException when the path is neither a folder nor a jar
   */
  public static List<Location> scan(Path pluginPath) {
    if (Files.isRegularFile(pluginPath) && isJar(pluginPath)) {
      return List.of(location(pluginPath, List.of(pluginPath)));
    }
    if (!Files.isDirectory(pluginPath)) {
      throw new IllegalArgumentException(
          "plugin path " + pluginPath + " is neither a folder of plugins nor a jar");
    }
    List<Location> out = new ArrayList<>();
    for (Path entry : list(pluginPath)) {
      if (Files.isDirectory(entry)) {
        List<Path> jars = jarsUnder(entry);
        out.add(jars.isEmpty()
            ? new Location(entry, List.of(), "plugin folder holds no .jar file")
            : location(entry, jars));
      } else if (isJar(entry)) {
        out.add(location(entry, List.of(entry)));
      }
    }
    return out;
  }

  /**
   * The version of a plugin jar: its manifest's {@code Implementation-Version}, else the version in
   * its Maven {@code pom.properties}, else null.
   *
   * @param jar the plugin jar
   * @return the version, or null
   */
  public static String version(Path jar) {
    if (!Files.isRegularFile(jar)) {
      return null;
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      if (manifest != null) {
        String v = manifest.getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
        if (v != null && !v.isBlank()) {
          return v.trim();
        }
      }
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
          Properties p = new Properties();
          try (InputStream in = file.getInputStream(e)) {
            p.load(in);
          }
          String v = p.getProperty("version");
          if (v != null && !v.isBlank()) {
            return v.trim();
          }
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Location location(Path path, List<Path> jars) {
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      String problem = unreadable(jar);
      if (problem != null) {
        return new Location(path, List.of(), problem);
      }
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        return new Location(path, List.of(), jar + ": " + e.getMessage());
      }
    }
    return new Location(path, List.copyOf(urls), null);
  }

  private static String unreadable(Path jar) {
    try (JarFile file = new JarFile(jar.toFile(), true)) {
      file.getManifest();
      file.stream().count();
      return null;
    } catch (IOException | RuntimeException e) {
      return "not a readable jar: " + jar.getFileName() + " (" + e.getMessage() + ")";
    }
  }

  private static boolean isJar(Path p) {
    return p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jar");
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("can't list the plugin folder " + dir, e);
    }
  }

  private static List<Path> jarsUnder(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(PluginLocations::isJar).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("can't list the plugin folder " + dir, e);
    }
  }
}
