package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.spi.Connector;
import dev.sluice.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quickstart in examples/saas/hubspot.yaml is a working source: pointed at the stub, it reads deals. */
class ExampleConfigTest {

  @Test
  void theQuickstartSourceReadsDealsWithItsAssociations() throws Exception {
    JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of("../examples/saas/hubspot.yaml")));
    ObjectNode source = (ObjectNode) file.path("pipelines").path("hubspot-deals").path("source").deepCopy();
    assertThat(source.path("type").asText()).isEqualTo("hubspot");
    assertThat(source.path("token").asText()).isEqualTo("${secret:hubspot_token}");
    source.remove("type");
    source.put("token", "pat-na1-example-token"); // what ${secret:hubspot_token} resolves to
    try (HubSpotStub stub = new HubSpotStub()) {
      stub.object("deals", Map.of("dealname", "string", "amount", "number", "dealstage", "enumeration",
          "closedate", "datetime", "pipeline", "enumeration")).object("companies", Map.of("name", "string"));
      stub.acceptedTokens.add("pat-na1-example-token");
      stub.put("deals", 1, Instant.parse("2023-12-31T00:00:00Z").toEpochMilli(), Map.of("amount", "5"));
      stub.put("deals", 2, Instant.parse("2024-02-01T00:00:00Z").toEpochMilli(), Map.of("amount", "25000"));
      stub.associations.put("deals:companies", Map.of("2", java.util.List.of("77")));
      source.put("baseUrl", stub.baseUrl());
      Harness h = new Harness(stub);
      try (Connector c = new HubSpotConnectorProvider().create(
          new PluginConfig("pipeline 'hubspot-deals' source (type hubspot)", source),
          new Harness.Context(h.clock, h.secrets), h.sleeper)) {
        Harness.Run run = h.read(c, null);
        assertThat(run.keys()).as("startDate 2024-01-01 leaves out the 2023 deal").containsExactly("2");
        assertThat(run.records().get(0).data().path("properties").path("amount").asLong()).isEqualTo(25000);
        assertThat(run.records().get(0).data().path("associations").path("companies").path(0).asText()).isEqualTo("77");
      }
    }
  }
}
