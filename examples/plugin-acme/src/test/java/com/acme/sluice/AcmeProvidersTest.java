package com.acme.sluice;

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
class AcmeProvidersTest {
  @Test
  void bothProvidersAreRegisteredForServiceLoader() {
    assertThat(ServiceLoader.load(ConnectorProvider.class).stream().map(ServiceLoader.Provider::type))
        .contains(AcmeConnectorProvider.class);
    assertThat(ServiceLoader.load(DestinationProvider.class).stream().map(ServiceLoader.Provider::type))
        .contains(AcmeDestinationProvider.class);
  }

  @Test
  void schemasDescribeTheOptions() {
    assertThat(new AcmeConnectorProvider().configSchema().path("properties").fieldNames())
        .toIterable().containsExactlyInAnyOrder("count", "keyPrefix", "checkpointEvery");
    assertThat(new AcmeDestinationProvider().configSchema().path("required").toString()).isEqualTo("[\"path\"]");
  }

  @Test
  void aBadOptionIsNamedWithItsOwner() {
    PluginConfig config = PluginConfig.of("pipeline 'feed' source", Map.of("count", -1));
    assertThatThrownBy(() -> new AcmeConnectorProvider().create(config, null))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("pipeline 'feed' source").hasMessageContaining("count");
  }
}
