package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spi.DuplicateProviderException;
import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.spi.UnknownPluginTypeException;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.PluginKind;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderRegistryTest {
  @TempDir Path tmp;

  private static final String SERVICE = "dev.sluice.spi.DestinationProvider";

  private URLClassLoader loaderFor(Path... jars) throws Exception {
    URL[] urls = new URL[jars.length];
    for (int i = 0; i < jars.length; i++) {
      urls[i] = jars[i].toUri().toURL();
    }
    return new URLClassLoader(urls, getClass().getClassLoader());
  }

  @Test
  void discoversTheBuiltInsWithTheirLocation() throws Exception {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    assertThat(registry.of(PluginKind.DESTINATION)).extracting(PluginInfo::type).contains("file", "log");
    assertThat(registry.of(PluginKind.CONNECTOR)).extracting(PluginInfo::type).contains("file");
    PluginInfo file = registry.find(PluginKind.CONNECTOR, "file")
        .map(p -> registry.of(PluginKind.CONNECTOR).stream().filter(i -> i.provider() == p).findFirst().orElseThrow())
        .orElseThrow();
    Path expected = Path.of(dev.sluice.connectors.file.FileConnectorProvider.class
        .getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(file.location()).as("the jar (or folder) the provider came from").isEqualTo(expected.toString());
    assertThat(file.description()).isNotBlank();
  }

  @Test
  void findsProvidersInAPluginJar() throws Exception {
    Path jar = PluginJars.build(tmp, "acme", Map.of("com.acme.AcmeProvider",
        PluginJars.destinationProvider("com.acme.AcmeProvider", "acme")), Map.of(SERVICE, "com.acme.AcmeProvider"));
    try (URLClassLoader loader = loaderFor(jar)) {
      ProviderRegistry registry = ProviderRegistry.discover(loader, List.of());
      PluginInfo acme = registry.of(PluginKind.DESTINATION).stream()
          .filter(i -> i.type().equals("acme")).findFirst().orElseThrow();
      assertThat(acme.location()).endsWith("acme.jar");
    }
  }

  @Test
  void twoProvidersClaimingOneTypeFailNamingBothJars() throws Exception {
    Path one = PluginJars.build(tmp, "one", Map.of("com.one.SlackProvider",
        PluginJars.destinationProvider("com.one.SlackProvider", "slackish")), Map.of(SERVICE, "com.one.SlackProvider"));
    Path two = PluginJars.build(tmp, "two", Map.of("com.two.SlackProvider",
        PluginJars.destinationProvider("com.two.SlackProvider", "slackish")), Map.of(SERVICE, "com.two.SlackProvider"));
    try (URLClassLoader loader = loaderFor(one, two)) {
      assertThatThrownBy(() -> ProviderRegistry.discover(loader, List.of()))
          .isInstanceOf(DuplicateProviderException.class)
          .hasMessageContaining("two destination providers claim type 'slackish'")
          .hasMessageContaining("com.one.SlackProvider from " + one)
          .hasMessageContaining("com.two.SlackProvider from " + two);
    }
  }

  @Test
  void aBrokenPluginJarIsSkippedAndTheOthersStillLoad() throws Exception {
    Path broken = PluginJars.build(tmp, "broken", Map.of(), Map.of(SERVICE, "com.missing.GoneProvider"));
    Path good = PluginJars.build(tmp, "good", Map.of("com.good.GoodProvider",
        PluginJars.destinationProvider("com.good.GoodProvider", "good")), Map.of(SERVICE, "com.good.GoodProvider"));
    try (URLClassLoader loader = loaderFor(broken, good)) {
      ProviderRegistry registry = ProviderRegistry.discover(loader, List.of());
      assertThat(registry.find(PluginKind.DESTINATION, "good")).isPresent();
      assertThat(registry.find(PluginKind.DESTINATION, "file")).isPresent();
      assertThat(registry.skipped()).singleElement().asString().contains("com.missing.GoneProvider");
    }
  }

  @Test
  void explicitProvidersJoinAndUnknownTypesListTheKnownOnes() {
    DestinationProvider explicit = new DestinationProvider() {
      @Override
      public String type() {
        return "in-house";
      }

      @Override
      public Destination create(PluginConfig config, PluginContext context) {
        return b -> null;
      }
    };
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of(explicit));
    assertThat(registry.find(PluginKind.DESTINATION, "in-house")).containsSame(explicit);
    assertThatThrownBy(() -> registry.require(PluginKind.DESTINATION, "slack", "destination 'x'"))
        .isInstanceOf(UnknownPluginTypeException.class)
        .hasMessageContaining("destination 'x': no destination of type 'slack'")
        .hasMessageContaining("file, in-house, log");
  }

  @Test
  void invalidTypeNamesAreRejected() {
    DestinationProvider bad = new DestinationProvider() {
      @Override
      public String type() {
        return "Bad Type";
      }

      @Override
      public Destination create(PluginConfig config, PluginContext context) {
        return null;
      }
    };
    assertThatThrownBy(() -> ProviderRegistry.discover(getClass().getClassLoader(), List.of(bad)))
        .hasMessageContaining("invalid destination type 'Bad Type'");
  }
}
