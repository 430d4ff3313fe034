package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Sluice;
import dev.sluice.pipeline.RunReport;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.DuplicateProviderException;
import dev.sluice.spi.InstalledPlugin;
import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.PluginProvider;
import dev.sluice.spi.ProviderRegistry;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins on a plugin path each get their own child-first class loader: two plugins carrying
 * conflicting versions of one library ({@code acme.lib.Version}, compiled twice at test time with
 * different behaviour and a method only version 2 has) each see their own, the host sees its own
 * (test class path), and the SPI's packages (Sluice, Jackson) always come from the host.
 */
class PluginIsolationTest {
  private static final String SERVICE = "dev.sluice.spi.DestinationProvider";

  @TempDir Path tmp;
  private Path plugins;

  /** Library v1: value() is "1". */
  private static final String LIB_V1 = """
      package acme.lib;
      public final class Version {
        public static String value() { return "1"; }
      }
      """;

  /** Library v2: value() is "2", and it has a method v1 lacks (a binary conflict, as between Guava versions). */
  private static final String LIB_V2 = """
      package acme.lib;
      public final class Version {
        public static String value() { return "2"; }
        public static String onlyInTwo() { return "two-only"; }
      }
      """;

  /**
   * A destination provider using the library: its description names the version it sees, its
   * destinations write "key version" lines to the file in option {@code path}, and static probes
   * tell the test which class loader served the library and Jackson.
   */
  private static String provider(String pkg, String type, String versionCall) {
    return """
        package %1$s;
        import dev.sluice.spi.*;
        import dev.sluice.record.Record;
        import java.nio.file.*;
        public class Provider implements DestinationProvider {
          public String type() { return "%2$s"; }
          public String description() { return "uses acme-lib " + %3$s; }
          public static String libraryVersion() { return %3$s; }
          public static ClassLoader libraryLoader() { return acme.lib.Version.class.getClassLoader(); }
          public static volatile ClassLoader contextLoaderInCreate;
          public static volatile ClassLoader contextLoaderInDeliver;
          public static String json() {
            return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("lib", %3$s).toString();
          }
          public Destination create(PluginConfig config, PluginContext context) {
            contextLoaderInCreate = Thread.currentThread().getContextClassLoader();
            Path out = Path.of(config.string("path"));
            return batch -> {
              contextLoaderInDeliver = Thread.currentThread().getContextClassLoader();
              StringBuilder lines = new StringBuilder();
              for (Record r : batch) { lines.append(r.key()).append(' ').append(%3$s).append('\\n'); }
              try {
                Files.writeString(out, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              return DeliveryResult.success();
            };
          }
        }
        """.formatted(pkg, type, versionCall);
  }

  @TempDir static Path built;
  private static Path lib1;
  private static Path lib2;
  private static Path fakeJackson;
  private static Path pluginA;
  private static Path pluginB;

  /** Compiles the libraries and plugins once (javac is the slow part); each test gets fresh copies. */
  @BeforeAll
  static void compilePlugins() throws Exception {
    lib1 = PluginJars.build(built, "acme-lib-1", Map.of("acme.lib.Version", LIB_V1), Map.of(), List.of(), "1");
    lib2 = PluginJars.build(built, "acme-lib-2", Map.of("acme.lib.Version", LIB_V2), Map.of(), List.of(), "2");
    // A plugin that wrongly bundles its own (here: broken) Jackson: the host's must win, or Records
    // (ObjectNode) couldn't cross the SPI.
    fakeJackson = PluginJars.build(built, "jackson-databind-0.0.1",
        Map.of("com.fasterxml.jackson.databind.ObjectMapper",
            "package com.fasterxml.jackson.databind; public class ObjectMapper { }"),
        Map.of(), List.of(), "0.0.1");
    pluginA = PluginJars.build(built, "plugin-a", Map.of("com.a.Provider",
            provider("com.a", "plugin-a", "acme.lib.Version.value()")),
        Map.of(SERVICE, "com.a.Provider"), List.of(lib1), "1.0.0");
    pluginB = PluginJars.build(built, "plugin-b", Map.of("com.b.Provider",
            provider("com.b", "plugin-b", "acme.lib.Version.value() + \"/\" + acme.lib.Version.onlyInTwo()")),
        Map.of(SERVICE, "com.b.Provider"), List.of(lib2), "2.0.0");
  }

  /** plugins/plugin-a/{plugin-a, acme-lib-1, jackson-databind-0.0.1}.jar, plugins/plugin-b/{plugin-b, acme-lib-2}.jar */
  @BeforeEach
  void layOutPluginFolders() throws Exception {
    Files.createDirectories(tmp.resolve("work"));
    plugins = Files.createDirectories(tmp.resolve("plugins"));
    Path a = Files.createDirectories(plugins.resolve("plugin-a"));
    Path b = Files.createDirectories(plugins.resolve("plugin-b"));
    Files.copy(pluginA, a.resolve("plugin-a.jar"));
    Files.copy(lib1, a.resolve("acme-lib-1.jar"));
    Files.copy(fakeJackson, a.resolve("jackson-databind-0.0.1.jar"));
    Files.copy(pluginB, b.resolve("plugin-b.jar"));
    Files.copy(lib2, b.resolve("acme-lib-2.jar"));
  }

  private static Object probe(PluginProvider<?> provider, String method) throws Exception {
    Method m = provider.getClass().getMethod(method);
    return m.invoke(null);
  }

  @Test
  void eachPluginSeesItsOwnVersionOfALibraryAndTheHostSeesItsOwn() throws Exception {
    ProviderRegistry registry =
        ProviderRegistry.discover(getClass().getClassLoader(), List.of(), List.of(plugins));

    DestinationProvider a = registry.require(PluginKind.DESTINATION, "plugin-a", "test");
    DestinationProvider b = registry.require(PluginKind.DESTINATION, "plugin-b", "test");

    assertThat(probe(a, "libraryVersion")).isEqualTo("1");
    assertThat(probe(b, "libraryVersion")).as("v2's extra method links: B did not get v1").isEqualTo("2/two-only");
    assertThat(acme.lib.Version.value()).as("the host keeps its own copy").isEqualTo("host");

    ClassLoader la = (ClassLoader) probe(a, "libraryLoader");
    ClassLoader lb = (ClassLoader) probe(b, "libraryLoader");
    assertThat(la).isSameAs(a.getClass().getClassLoader());
    assertThat(lb).isSameAs(b.getClass().getClassLoader());
    assertThat(la).isNotSameAs(lb).isNotSameAs(getClass().getClassLoader());

    // The SPI types are the host's: the provider is a DestinationProvider of this class loader.
    assertThat(a).isInstanceOf(DestinationProvider.class);
    // The plugin's bundled (broken) ObjectMapper is ignored: Jackson comes from the host.
    assertThat(probe(a, "json")).isEqualTo("{\"lib\":\"1\"}");
    assertThat(a.getClass().getClassLoader().loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
        .isSameAs(com.fasterxml.jackson.databind.ObjectMapper.class);
    // The built-ins are found once, from the host, not again through each plugin's loader.
    assertThat(registry.all()).filteredOn(i -> i.type().equals("file") && i.kind() == PluginKind.DESTINATION)
        .singleElement().extracting(PluginInfo::location).asString().doesNotContain("plugin-");

    assertThat(registry.installed()).extracting(InstalledPlugin::path)
        .containsExactly(plugins.resolve("plugin-a"), plugins.resolve("plugin-b"));
    InstalledPlugin pa = registry.installed().get(0);
    assertThat(pa.version()).isEqualTo("1.0.0");
    assertThat(pa.problems()).isEmpty();
    assertThat(pa.providers()).singleElement().satisfies(i -> {
      assertThat(i.type()).isEqualTo("plugin-a");
      assertThat(i.location()).isEqualTo(plugins.resolve("plugin-a/plugin-a.jar").toString());
      assertThat(i.description()).isEqualTo("uses acme-lib 1");
    });
    assertThat(registry.installed().get(1).version()).isEqualTo("2.0.0");
    assertThat(registry.skipped()).isEmpty();
  }

  @Test
  void withoutIsolationTheSecondPluginBreaks() throws Exception {
    // The control experiment: both plugin folders on one flat class path, as a plain URLClassLoader
    // would do. One copy of acme.lib.Version wins and the other plugin fails to link, which is
    // exactly what isolation prevents.
    List<Path> jars;
    try (var s = Files.walk(plugins)) {
      jars = s.filter(p -> p.toString().endsWith(".jar") && !p.toString().contains("jackson")).sorted().toList();
    }
    java.net.URL[] urls = new java.net.URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = jars.get(i).toUri().toURL();
    }
    try (java.net.URLClassLoader flat = new java.net.URLClassLoader(urls, getClass().getClassLoader())) {
      Class<?> b = flat.loadClass("com.b.Provider");
      assertThatThrownBy(() -> b.getMethod("libraryVersion").invoke(null))
          .hasRootCauseInstanceOf(NoSuchMethodError.class);
    }
  }

  @Test
  void aRunDeliversThroughBothPluginsEachWithItsOwnLibrary() throws Exception {
    Path input = tmp.resolve("in.jsonl");
    Files.writeString(input, "{\"id\":\"r1\"}\n{\"id\":\"r2\"}\n");
    Path outA = tmp.resolve("a.txt");
    Path outB = tmp.resolve("b.txt");
    try (Sluice sluice = Sluice.builder()
        .pluginPath(plugins)
        .destination("to-a", "plugin-a", Map.of("path", outA.toString()))
        .destination("to-b", "plugin-b", Map.of("path", outB.toString()))
        .pipeline("p", p -> p
            .source("file", Map.of("path", input.toString(), "key", "id"))
            .route(r -> r.name("all").to("to-a", "to-b")))
        .build()) {
      RunReport report = sluice.run("p");
      assertThat(report.succeeded()).as(report.toString()).isTrue();
      assertThat(sluice.plugins().installed()).hasSize(2);
      // During create() and deliver() the context class loader was the plugin's (for libraries that
      // look up through it), and afterwards this thread has its own back.
      PluginProvider<?> a = sluice.plugins().require(PluginKind.DESTINATION, "plugin-a", "test");
      assertThat(a.getClass().getField("contextLoaderInCreate").get(null)).isSameAs(a.getClass().getClassLoader());
      // and so it was while the destination delivered, on a dispatcher thread
      assertThat(a.getClass().getField("contextLoaderInDeliver").get(null)).isSameAs(a.getClass().getClassLoader());
      assertThat(Thread.currentThread().getContextClassLoader()).isNotSameAs(a.getClass().getClassLoader());
    }
    assertThat(Files.readAllLines(outA)).containsExactly("r1 1", "r2 1");
    assertThat(Files.readAllLines(outB)).containsExactly("r1 2/two-only", "r2 2/two-only");
  }

  @Test
  void aBrokenJarIsListedWithTheReasonAndTheOthersLoad() throws Exception {
    Files.writeString(plugins.resolve("corrupt.jar"), "this is not a zip file");
    Path work = tmp.resolve("work");
    Path missing = PluginJars.build(work, "missing-class", Map.of(), Map.of(SERVICE, "com.gone.GoneProvider"), List.of(), "3.1");
    Files.copy(missing, plugins.resolve("missing-class.jar"));
    Path lib = PluginJars.build(work, "just-a-library", Map.of("com.lib.Util", "package com.lib; public class Util {}"),
        Map.of(), List.of(), null);
    Files.copy(lib, plugins.resolve("just-a-library.jar"));
    Files.createDirectories(plugins.resolve("empty-folder"));

    ProviderRegistry registry =
        ProviderRegistry.discover(getClass().getClassLoader(), List.of(), List.of(plugins));

    assertThat(registry.find(PluginKind.DESTINATION, "plugin-a")).isPresent();
    assertThat(registry.find(PluginKind.DESTINATION, "plugin-b")).isPresent();
    Map<String, InstalledPlugin> byName = new java.util.TreeMap<>();
    registry.installed().forEach(p -> byName.put(p.path().getFileName().toString(), p));
    assertThat(byName.get("corrupt.jar").problems()).singleElement().asString()
        .startsWith("not a readable jar: corrupt.jar");
    assertThat(byName.get("missing-class.jar").problems()).singleElement().asString()
        .contains("destination provider skipped").contains("com.gone.GoneProvider");
    assertThat(byName.get("missing-class.jar").version()).isEqualTo("3.1");
    assertThat(byName.get("just-a-library.jar").problems()).singleElement().asString()
        .contains("no Sluice provider");
    assertThat(byName.get("empty-folder").problems()).containsExactly("plugin folder holds no .jar file");
    assertThat(byName.values()).filteredOn(InstalledPlugin::loaded).hasSize(2);
    assertThat(registry.skipped()).hasSize(4)
        .anySatisfy(s -> assertThat(s).startsWith(plugins.resolve("corrupt.jar") + ": not a readable jar"));
  }

  @Test
  void twoPluginsClaimingOneTypeNameBothJars() throws Exception {
    Path work = tmp.resolve("work");
    Path other = PluginJars.build(work, "other-a", Map.of("com.other.AProvider",
        PluginJars.destinationProvider("com.other.AProvider", "plugin-a")), Map.of(SERVICE, "com.other.AProvider"));
    Files.copy(other, plugins.resolve("other-a.jar"));
    assertThatThrownBy(() -> ProviderRegistry.discover(getClass().getClassLoader(), List.of(), List.of(plugins)))
        .isInstanceOf(DuplicateProviderException.class)
        .hasMessageContaining("claim type 'plugin-a'")
        .hasMessageContaining(plugins.resolve("plugin-a/plugin-a.jar").toString())
        .hasMessageContaining(plugins.resolve("other-a.jar").toString());
  }

  @Test
  void aPluginPathThatIsNeitherFolderNorJarIsRefused() {
    Path nowhere = tmp.resolve("nowhere");
    assertThatThrownBy(() -> Sluice.builder().pluginPath(nowhere))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(nowhere.toString());
    assertThatThrownBy(() -> ProviderRegistry.discover(getClass().getClassLoader(), List.of(), List.of(nowhere)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(nowhere.toString());
  }
}
