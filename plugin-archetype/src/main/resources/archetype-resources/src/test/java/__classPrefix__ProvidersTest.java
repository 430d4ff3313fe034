package ${package};

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The registration and the configuration checks of the two providers. */
class ${classPrefix}ProvidersTest {
  @Test
  void bothProvidersAreRegisteredForServiceLoader() {
    assertThat(ServiceLoader.load(ConnectorProvider.class).stream().map(ServiceLoader.Provider::type))
        .contains(${classPrefix}ConnectorProvider.class);
    assertThat(ServiceLoader.load(DestinationProvider.class).stream().map(ServiceLoader.Provider::type))
        .contains(${classPrefix}DestinationProvider.class);
  }

  @Test
  void schemasDescribeTheOptions() {
    assertThat(new ${classPrefix}ConnectorProvider().configSchema().path("properties").fieldNames())
        .toIterable().containsExactlyInAnyOrder("count", "keyPrefix", "checkpointEvery");
    assertThat(new ${classPrefix}DestinationProvider().configSchema().path("required").toString()).isEqualTo("[\"path\"]");
  }

  @Test
  void aBadOptionIsNamedWithItsOwner() {
    PluginConfig config = PluginConfig.of("pipeline 'feed' source", Map.of("count", -1));
    assertThatThrownBy(() -> new ${classPrefix}ConnectorProvider().create(config, null))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("pipeline 'feed' source").hasMessageContaining("count");
  }
}
