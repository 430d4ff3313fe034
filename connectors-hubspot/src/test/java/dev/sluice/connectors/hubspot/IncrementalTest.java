package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Incremental reads through the search API: resume, changes only, lookback, startDate, typed values, associations. */
class IncrementalTest {
  static final long T0 = Instant.parse("2024-05-01T08:00:00Z").toEpochMilli();
  static final String TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555";

  HubSpotStub stub;
  Harness h;

  @BeforeEach
  void start() throws Exception {
    stub = new HubSpotStub()
        .object("deals", Map.of("dealname", "string", "amount", "number", "hs_is_closed", "bool",
            "closedate", "datetime", "launch_day", "date", "dealstage", "enumeration"))
        .object("companies", Map.of("name", "string"))
        .object("contacts", Map.of("email", "string"));
    stub.acceptedTokens.add(TOKEN);
    for (int i = 1; i <= 12; i++) {
      stub.put("deals", 100 + i, T0 + (i / 3) * 1000L, Map.of("dealname", "Deal " + i, "amount", i + "00.50",
          "hs_is_closed", i % 2 == 0 ? "true" : "false", "closedate", "2024-06-0" + (i % 9 + 1) + "T00:00:00Z",
          "launch_day", "2024-07-01", "dealstage", "appointmentscheduled"));
    }
    h = new Harness(stub);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  Connector deals(Map<String, Object> extra) {
    Map<String, Object> o = new java.util.LinkedHashMap<>(Map.of("object", "deals", "token", TOKEN, "pageSize", 4,
        "searchRequestsPerSecond", 0));
    o.putAll(extra);
    return h.connector(o);
  }

  @Test
  void theSecondReadReturnsOnlyWhatChangedAndAFutureCheckpointReturnsNothing() throws Exception {
    try (Connector c = deals(Map.of())) {
      Harness.Run first = h.read(c, null);
      assertThat(first.keys()).hasSize(12).doesNotHaveDuplicates();
      Checkpoint cp = first.lastCheckpoint();
      assertThat(cp.state().path("modifiedAtMillis").asLong()).isEqualTo(T0 + 4000);

      assertThat(h.read(c, cp).keys()).as("nothing changed").isEmpty();

      stub.put("deals", 105, T0 + 60_000, Map.of("dealname", "Deal 5 renamed", "amount", "999"));
      stub.put("deals", 150, T0 + 60_000, Map.of("dealname", "New deal", "amount", "1"));
      stub.put("deals", 103, T0 + 61_000, Map.of("dealname", "Deal 3 again", "amount", "3"));
      Harness.Run second = h.read(c, cp);
      assertThat(second.keys()).containsExactly("105", "150", "103");
      assertThat(second.records().get(0).data().path("properties").path("dealname").asText()).isEqualTo("Deal 5 renamed");
      assertThat(h.read(c, second.lastCheckpoint()).keys()).isEmpty();
      assertThat(h.read(c, Harness.future(second.lastCheckpoint())).keys()).isEmpty();

      // The request HubSpot saw: a GT filter on hs_lastmodifieddate in epoch ms, sorted ascending.
      JsonNode body = stub.searchesSeen().get(stub.searchesSeen().size() - 1).body();
      assertThat(body.path("filterGroups").path(0).path("filters").path(0).path("propertyName").asText())
          .isEqualTo("hs_lastmodifieddate");
      assertThat(body.path("filterGroups").path(0).path("filters").path(0).path("operator").asText()).isEqualTo("GT");
      assertThat(body.path("sorts").path(0).path("propertyName").asText()).isEqualTo("hs_lastmodifieddate");
      assertThat(body.has("after")).as("keyset paging: no after offsets").isFalse();
    }
  }

  @Test
  void contactsAreFilteredOnLastmodifieddate() throws Exception {
    stub.put("contacts", 7, T0, Map.of("email", "a@example.com"));
    try (Connector c = h.connector(Map.of("object", "contacts", "token", TOKEN, "searchRequestsPerSecond", 0))) {
      Harness.Run run = h.read(c, null);
      assertThat(run.keys()).containsExactly("7");
      assertThat(stub.searchesSeen().get(0).body().toString()).contains("\"propertyName\":\"lastmodifieddate\"");
      assertThat(run.lastCheckpoint().state().path("property").asText()).isEqualTo("lastmodifieddate");
    }
  }

  @Test
  void aRecordTheSearchIndexShowedLateIsCaughtByTheLookback() throws Exception {
    try (Connector plain = deals(Map.of()); Connector lookback = deals(Map.of("lookback", "5m"))) {
      Checkpoint cp = h.read(plain, null).lastCheckpoint();
      // Modified before the checkpoint's time, but indexed only now (HubSpot: "it may take a few
      // moments for newly created or updated CRM objects to appear in search results").
      stub.put("deals", 160, T0 + 3500, Map.of("dealname", "late"));
      assertThat(h.read(plain, cp).keys()).as("without lookback the late record is missed").isEmpty();
      Harness.Run again = h.read(lookback, cp);
      assertThat(again.keys()).contains("160");
      assertThat(again.keys()).as("re-read records come again with their keys, for upserts").contains("112");
      assertThat(again.keys()).doesNotHaveDuplicates();
    }
  }

  @Test
  void startDateLimitsTheFirstRead() throws Exception {
    try (Connector c = deals(Map.of("startDate", Instant.ofEpochMilli(T0 + 3000).toString()))) {
      assertThat(h.read(c, null).keys()).containsExactly("109", "110", "111", "112");
    }
  }

  @Test
  void valuesAreTypedFromThePropertiesApi() throws Exception {
    stub.put("deals", 170, T0 + 9000, Map.of("dealname", "typed", "amount", "12345678901234567890.25",
        "hs_is_closed", "true", "closedate", "1717200000000", "launch_day", "", "dealstage", "closedwon"));
    try (Connector c = deals(Map.of("properties", List.of("dealname", "amount", "hs_is_closed", "closedate",
        "launch_day", "dealstage")))) {
      Harness.Run run = h.read(c, null);
      Record r = run.records().get(run.records().size() - 1);
      assertThat(r.key()).isEqualTo("170");
      ObjectNode p = (ObjectNode) r.data().get("properties");
      assertThat(p.get("amount").isBigDecimal()).isTrue();
      assertThat(p.get("amount").decimalValue()).isEqualByComparingTo("12345678901234567890.25");
      assertThat(p.get("hs_is_closed").isBoolean()).isTrue();
      assertThat(p.get("closedate").asText()).isEqualTo("2024-06-01T00:00:00Z");
      assertThat(p.get("launch_day").isNull()).as("HubSpot's empty string is no value").isTrue();
      assertThat(p.get("dealstage").asText()).isEqualTo("closedwon");
      assertThat(p.get("hs_object_id").isIntegralNumber()).isTrue();
      assertThat(r.data().path("id").asText()).isEqualTo("170");
      assertThat(r.data().path("archived").isBoolean()).isTrue();
      assertThat(r.attributes()).containsEntry("hubspot.object", "deals");
      Record first = run.records().get(0);
      assertThat(first.data().path("properties").path("amount").decimalValue()).isEqualByComparingTo("100.50");
      assertThat(first.data().path("properties").path("hs_is_closed").asBoolean()).isFalse();
    }
  }

  @Test
  void associationsComeFromTheV4BatchRead() throws Exception {
    stub.associations.put("deals:companies", Map.of("101", List.of("9001", "9002"), "104", List.of("9003")));
    try (Connector c = deals(Map.of("associations", List.of("companies")))) {
      Harness.Run run = h.read(c, null);
      Map<String, JsonNode> byKey = new java.util.HashMap<>();
      run.records().forEach(r -> byKey.put(r.key(), r.data()));
      assertThat(byKey.get("101").path("associations").path("companies").toString()).isEqualTo("[\"9001\",\"9002\"]");
      assertThat(byKey.get("104").path("associations").path("companies").toString()).isEqualTo("[\"9003\"]");
      assertThat(byKey.get("102").path("associations").path("companies").toString())
          .as("207 errors for ids without associations mean none").isEqualTo("[]");
      assertThat(stub.seen).anySatisfy(s -> assertThat(s.path()).isEqualTo("/crm/v4/associations/deals/companies/batch/read"));
    }
  }

  @Test
  void aResultWithoutALastModifiedTimeIsRejectedNotLost() throws Exception {
    ObjectNode broken = stub.put("deals", 180, T0 + 9000, Map.of("dealname", "broken"));
    ((ObjectNode) broken.get("properties")).put("hs_lastmodifieddate", "not a date");
    // The stub can't filter on it either; answer it as a page of its own.
    stub.fault(HubSpotStub.searches(), 200, Map.of(), "{\"total\":1,\"results\":[" + broken + "]}");
    try (Connector c = deals(Map.of())) {
      Harness.Run run = h.read(c, null);
      assertThat(run.keys()).isEmpty();
      assertThat(run.rejected()).singleElement().satisfies(r -> {
        assertThat(r.location()).isEqualTo("hubspot deals id 180");
        assertThat(r.reason()).contains("hs_lastmodifieddate");
        assertThat(r.raw()).contains("broken");
      });
    }
  }

  @Test
  void aCheckpointOfAnotherObjectIsRefused() throws Exception {
    try (Connector c = deals(Map.of())) {
      ObjectNode state = (ObjectNode) h.read(c, null).lastCheckpoint().state();
      state.put("object", "tickets");
      assertThatThrownBy(() -> h.read(c, Checkpoint.of(state)))
          .isInstanceOf(HubSpotException.class)
          .hasMessageContaining("'tickets'").hasMessageContaining("reset the pipeline's checkpoint");
    }
  }

  @Test
  void aCancelledRunStopsBetweenRequestsAndItsCheckpointResumesTheRest() throws Exception {
    try (Connector c = deals(Map.of())) {
      Harness.Run all = h.read(c, null);
      Harness.Run cancelled = new Harness.Run(h.clock);
      cancelled.cancelAfterRecords = 3;
      int searchesBefore = stub.searchesSeen().size();
      c.read(cancelled, null, cancelled);
      assertThat(cancelled.keys()).hasSizeLessThan(12).hasSizeGreaterThanOrEqualTo(3);
      assertThat(stub.searchesSeen().size() - searchesBefore).as("no request after the cancellation").isLessThanOrEqualTo(2);
      assertThat(cancelled.logLines).anySatisfy(l -> assertThat(l).contains("read cancelled"));
      Checkpoint cp = cancelled.lastCheckpoint();
      int covered = 0;
      for (Object o : cancelled.items) {
        if (o instanceof Record) {
          covered++;
        } else if (o == cp) {
          break;
        }
      }
      assertThat(h.read(c, cp).keys()).containsExactlyElementsOf(all.keys().subList(covered, 12));
    }
  }
}
