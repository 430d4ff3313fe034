package dev.sluice.connectors.bigquery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provider is found through META-INF/services and the quickstart example validates against its schema. */
class BigQueryExampleConfigTest {

  @Test
  void theProviderIsDiscoveredAndTheQuickstartValidates() {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    assertThat(registry.find(PluginKind.CONNECTOR, "bigquery")).get().isInstanceOf(BigQueryConnectorProvider.class);

    Map<String, String> env = Map.of("SLUICE_MASTER_KEY", "example-master-key-0123456789", "GA4_PROPERTY", "123456789");
    ConfigLoader loader = ConfigLoader.create(registry, env::get, Clock.systemUTC());
    Path example = Path.of("../examples/saas/bigquery.yaml");
    assertThat(Files.isRegularFile(example)).as("%s exists", example.toAbsolutePath()).isTrue();
    List<ConfigProblem> problems = loader.validate(List.of(example));
    assertThat(problems).isEmpty();
  }

  @Test
  void aMisspelledOptionIsAProblemNamingIt() throws Exception {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    Map<String, String> env = Map.of("SLUICE_MASTER_KEY", "example-master-key-0123456789", "GA4_PROPERTY", "123456789");
    Path bad = Files.createTempFile("bq", ".yaml");
    Files.writeString(bad, Files.readString(Path.of("../examples/saas/bigquery.yaml")).replace("orderedByCursor:", "orderedByCursr:"));
    List<ConfigProblem> problems = ConfigLoader.create(registry, env::get, Clock.systemUTC()).validate(List.of(bad));
    Files.delete(bad);
    assertThat(problems).isNotEmpty();
    assertThat(problems.toString()).contains("orderedByCursr");
  }
}
