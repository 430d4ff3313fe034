package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.hubspot.internal.HubSpotConnector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Discovery, the config schema, and configuration errors that name the option and never a secret. */
class HubSpotConnectorProviderTest {
  static final String SECRET = "pat-na1-must-never-show-0123456789";

  @Test
  void isFoundByServiceLoaderAsHubspot() {
    assertThat(ServiceLoader.load(ConnectorProvider.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(p -> {
          assertThat(p).isInstanceOf(HubSpotConnectorProvider.class);
          assertThat(p.type()).isEqualTo("hubspot");
          assertThat(p.description()).isNotBlank();
        });
  }

  @Test
  void theSchemaDescribesEveryOptionAndMarksSecrets() {
    ObjectNode schema = new HubSpotConnectorProvider().configSchema();
    assertThat(schema.path("required").toString()).isEqualTo("[\"object\"]");
    assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    assertThat(schema.path("properties").path("token").path("writeOnly").asBoolean()).isTrue();
    assertThat(schema.path("properties").path("clientSecret").path("writeOnly").asBoolean()).isTrue();
    assertThat(schema.path("properties").path("baseUrl").path("default").asText()).isEqualTo("https://api.hubapi.com");
    schema.path("properties").properties().forEach(e ->
        assertThat(e.getValue().path("description").asText()).as(e.getKey()).isNotBlank());
  }

  @Test
  void defaultsAreTheDocumentedOnes() throws Exception {
    Harness.Context ctx = new Harness.Context(java.time.Clock.systemUTC(), new Harness.MapSecrets());
    try (HubSpotConnector c = (HubSpotConnector) new HubSpotConnectorProvider().create(
        PluginConfig.of("pipeline 'p' source (type hubspot)", Map.of("object", "deals", "token", SECRET)), ctx)) {
      assertThat(c.options().baseUrl()).isEqualTo("https://api.hubapi.com");
      assertThat(c.options().incremental()).isTrue();
      assertThat(c.options().pageSize()).isEqualTo(200);
      assertThat(c.options().cursorProperty()).isEqualTo("hs_lastmodifieddate");
      assertThat(c.options().toString()).doesNotContain(SECRET).contains("auth=token");
    }
  }

  private static PluginConfigException error(Map<String, Object> options) {
    Harness.Context ctx = new Harness.Context(java.time.Clock.systemUTC(), new Harness.MapSecrets());
    Map<String, Object> all = new LinkedHashMap<>(options);
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> new HubSpotConnectorProvider().create(
        PluginConfig.of("pipeline 'p' source (type hubspot)", all), ctx));
    assertThat(t).isInstanceOf(PluginConfigException.class);
    assertThat(t.getMessage()).startsWith("pipeline 'p' source (type hubspot)").doesNotContain(SECRET);
    return (PluginConfigException) t;
  }

  @Test
  void configurationErrorsNameTheOptionAndHideSecrets() {
    assertThat(error(Map.of("object", "deals")).getMessage()).contains("no credentials").contains("'token'");
    assertThat(error(Map.of("object", "deals", "token", SECRET, "clientId", "x", "refreshTokenSecret", "r"))
        .getMessage()).contains("not both");
    assertThat(error(Map.of("object", "../admin", "token", SECRET)).getMessage()).contains("option 'object'");
    assertThat(error(Map.of("object", "deals", "token", SECRET, "baseUrl", "ftp://api.hubapi.com")).getMessage())
        .contains("option 'baseUrl'");
    assertThat(error(Map.of("object", "deals", "token", SECRET, "archived", true)).getMessage())
        .contains("'archived' needs 'incremental: false'");
    assertThat(error(Map.of("object", "deals", "token", SECRET, "startDate", "yesterday")).getMessage())
        .contains("option 'startDate'");
    assertThat(error(Map.of("object", "deals", "token", SECRET, "pageSize", 500)).getMessage())
        .contains("option 'pageSize'");
    assertThat(error(Map.of("object", "deals", "token", SECRET, "properties", List.of("amount&x=1"))).getMessage())
        .contains("option 'properties'");
    assertThat(error(Map.of("object", "deals", "refreshTokenSecret", "hs_refresh", "clientId", "c")).getMessage())
        .contains("'clientSecret'");
    assertThat(error(Map.of("object", "deals", "token", 42)).getMessage()).contains("option 'token'");
  }
}
