package dev.sluice.testkit;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars at test time: compiles Java sources against the test class path and
 * packs them with {@code META-INF/services} files. For testing discovery, class loading and
 * conflicts the way users meet them (a jar in a plugins folder), not through the test class path.
 *
 * <p>Needs a JDK (the system Java compiler). Stateless; thread-safe.
 */
public final class PluginJars {
  private PluginJars() {}

  /**
   * Compiles {@code sources} and writes {@code <dir>/<jarName>.jar}.
   *
   * @param dir the directory to work and write the jar in
   * @param jarName the jar's name, without {@code .jar}
   * @param sources class name (with package) to source code
   * @param services service interface name (e.g. {@code dev.sluice.spi.DestinationProvider}) to
   *     the implementation class names, one per line
   * @return the jar
   * @throws IOException when a file can't be written
   */
  public static Path build(Path dir, String jarName, Map<String, String> sources, Map<String, String> services)
      throws IOException {
    return build(dir, jarName, sources, services, List.of(), null);
  }

  /**
   * Compiles {@code sources} against {@code classPath} (searched before the test class path, so a
   * library jar there wins over a class of the same name in the tests) and writes {@code
   * <dir>/<jarName>.jar}, with {@code Implementation-Version: version} in its manifest when {@code
   * version} is not null.
   *
   * @param dir the directory to work and write the jar in
   * @param jarName the jar's name, without {@code .jar}
   * @param sources class name (with package) to source code
   * @param services service interface name to the implementation class names, one per line; may
   *     be empty (a library jar)
   * @param classPath jars compiled against but not packed (the plugin's dependencies)
   * @param version the manifest's {@code Implementation-Version}, or null for none
   * @return the jar
   * @throws IOException when a file can't be written
   */
  public static Path build(Path dir, String jarName, Map<String, String> sources, Map<String, String> services,
      List<Path> classPath, String version) throws IOException {
    Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
    Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
    List<String> args = new ArrayList<>();
    args.add("-d");
    args.add(classes.toString());
    args.add("-cp");
    List<String> cp = new ArrayList<>();
    classPath.forEach(p -> cp.add(p.toString()));
    cp.add(System.getProperty("java.class.path"));
    args.add(String.join(File.pathSeparator, cp));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (!sources.isEmpty() && javac.run(null, null, null, args.toArray(new String[0])) != 0) {
      throw new IllegalStateException("compiling the test plugin " + jarName + " failed");
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (version != null) {
      manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, jarName);
      manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
    }
    Path jar = dir.resolve(jarName + ".jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
      for (Map.Entry<String, String> e : services.entrySet()) {
        out.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
        write(out, e.getValue() + "\n");
        out.closeEntry();
      }
    }
    return jar;
  }

  /**
   * Source of a destination provider of {@code type} whose destinations accept every batch.
   *
   * @param className the provider's class name, with package
   * @param type the destination type it registers
   * @return the Java source
   */
  public static String destinationProvider(String className, String type) {
    int dot = className.lastIndexOf('.');
    return "package " + className.substring(0, dot) + ";\n"
        + "public class " + className.substring(dot + 1) + " implements dev.sluice.spi.DestinationProvider {\n"
        + "  public String type() { return \"" + type + "\"; }\n"
        + "  public dev.sluice.spi.Destination create(dev.sluice.spi.PluginConfig c, dev.sluice.spi.PluginContext x) {\n"
        + "    return b -> dev.sluice.spi.DeliveryResult.success();\n"
        + "  }\n"
        + "}\n";
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }

}
