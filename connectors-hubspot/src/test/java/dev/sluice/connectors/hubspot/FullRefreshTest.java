package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Full refresh through {@code GET /crm/v3/objects/{type}}: opaque {@code after} paging, archived records, resume. */
class FullRefreshTest {
  static final long T0 = Instant.parse("2024-05-01T08:00:00Z").toEpochMilli();
  static final String TOKEN = "pat-na1-full-refresh-token";

  HubSpotStub stub;
  Harness h;

  @BeforeEach
  void start() throws Exception {
    stub = new HubSpotStub().object("companies", Map.of("name", "string", "numberofemployees", "number"))
        .object("2-1234567", Map.of("model", "string"));
    stub.acceptedTokens.add(TOKEN);
    for (int i = 1; i <= 250; i++) {
      stub.put("companies", 10_000 + i, T0, Map.of("name", "Company " + i, "numberofemployees", Integer.toString(i)));
    }
    for (int i = 1; i <= 3; i++) {
      ObjectNode gone = stub.put("companies", 20_000 + i, T0, Map.of("name", "Gone " + i));
      gone.put("archived", true).put("archivedAt", "2024-05-02T00:00:00Z");
    }
    h = new Harness(stub);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void listsEveryPageThenTheArchivedRecordsAndReadsEverythingAgainNextRun() throws Exception {
    try (Connector c = h.connector(Map.of("object", "companies", "token", TOKEN, "incremental", false,
        "archived", true, "properties", List.of("name", "numberofemployees")))) {
      Harness.Run run = h.read(c, null);
      assertThat(run.keys()).hasSize(253).doesNotHaveDuplicates();
      assertThat(run.keys().subList(250, 253)).containsExactly("20001", "20002", "20003");
      Record archived = run.records().get(252);
      assertThat(archived.data().path("archived").asBoolean()).isTrue();
      assertThat(archived.data().path("archivedAt").asText()).isEqualTo("2024-05-02T00:00:00Z");
      assertThat(run.records().get(0).data().path("properties").path("numberofemployees").isIntegralNumber()).isTrue();
      List<HubSpotStub.Seen> lists = stub.seen.stream().filter(s -> s.path().equals("/crm/v3/objects/companies")).toList();
      assertThat(lists).hasSize(4).allSatisfy(s -> assertThat(HubSpotStub.params(s.query()).get("limit")).isEqualTo("100"));
      assertThat(HubSpotStub.params(lists.get(3).query())).containsEntry("archived", "true");
      assertThat(run.lastCheckpoint().state().path("complete").asBoolean()).isTrue();
      assertThat(h.read(c, run.lastCheckpoint()).keys()).as("a full refresh reads everything each run").hasSize(253);
    }
  }

  @Test
  void anInterruptedPassContinuesFromItsLastPage() throws Exception {
    try (Connector c = h.connector(Map.of("object", "companies", "token", TOKEN, "incremental", false))) {
      Harness.Run run = h.read(c, null);
      List<String> keys = run.keys();
      assertThat(keys).hasSize(250);
      List<Checkpoint> cps = new ArrayList<>();
      List<Integer> positions = new ArrayList<>();
      int n = 0;
      for (Object o : run.items) {
        if (o instanceof Record) {
          n++;
        } else if (o instanceof Checkpoint cp) {
          cps.add(cp);
          positions.add(n);
        }
      }
      assertThat(positions).containsExactly(100, 200, 250);
      JsonNode mid = cps.get(0).state();
      assertThat(mid.path("mode").asText()).isEqualTo("full");
      assertThat(mid.path("after").asText()).as("HubSpot's opaque after token").isNotEmpty();
      assertThat(h.read(c, cps.get(0)).keys()).containsExactlyElementsOf(keys.subList(100, 250));
    }
  }

  @Test
  void customObjectsAreReadByTypeId() throws Exception {
    stub.put("2-1234567", 77, T0, Map.of("model", "Roadster"));
    try (Connector c = h.connector(Map.of("object", "2-1234567", "token", TOKEN, "searchRequestsPerSecond", 0))) {
      Harness.Run run = h.read(c, null);
      assertThat(run.keys()).containsExactly("77");
      assertThat(run.records().get(0).data().path("properties").path("model").asText()).isEqualTo("Roadster");
      assertThat(stub.searchesSeen()).singleElement()
          .satisfies(s -> assertThat(s.path()).isEqualTo("/crm/v3/objects/2-1234567/search"));
    }
  }
}
