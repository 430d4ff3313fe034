package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The search API's documented limit: "The search endpoints are limited to 10,000 total results for
 * any given query" (developers.hubspot.com/docs/api/crm/search, Limitations; paging past it answers
 * 400), with one sort rule per search and many records sharing one last-modified time. 26,000 changed
 * deals: 12,000 at one millisecond (a tie larger than the cap), 3,000 at another, 40 ties of 150
 * (just under a page of 200), 5,000 single changes; ids unrelated to times; the stub answers ties in
 * a different order on every request and refuses pages past 10,000.
 */
class SearchCapAndTiesTest {
  static final long T1 = Instant.parse("2024-03-01T10:00:00.123Z").toEpochMilli();
  static final long T2 = Instant.parse("2024-03-02T10:00:00.456Z").toEpochMilli();
  static final int TOTAL = 26_000;

  static HubSpotStub stub;
  static final Map<String, Long> modified = new HashMap<>();
  /** One full read, shared by the tests (each read of 26,000 records costs seconds on a busy machine). */
  static Harness harness;
  static Connector connector;
  static Harness.Run all;
  static List<HubSpotStub.Seen> searches;
  static double counted;

  @BeforeAll
  static void data() throws Exception {
    stub = new HubSpotStub().object("deals", Map.of("dealname", "string"));
    stub.acceptedTokens.add("pat-na1-cap-token");
    List<Long> ids = new ArrayList<>();
    for (long i = 0; i < TOTAL; i++) {
      ids.add(5_000_000L + i * 3);
    }
    Collections.shuffle(ids, new Random(7));
    int n = 0;
    for (int i = 0; i < 12_000; i++) {
      add(ids.get(n++), T1);
    }
    for (int i = 0; i < 3_000; i++) {
      add(ids.get(n++), T2);
    }
    long t = T2 + 60_000;
    for (int g = 0; g < 40; g++) {
      t += 1;
      for (int i = 0; i < 150; i++) {
        add(ids.get(n++), t);
      }
    }
    while (n < TOTAL) {
      t += 17;
      add(ids.get(n++), t);
    }
    harness = new Harness(stub);
    connector = harness.connector(Map.of("object", "deals", "token", "pat-na1-cap-token", "properties",
        List.of("dealname")));
    all = harness.read(connector, null);
    searches = List.copyOf(stub.searchesSeen());
    counted = harness.lastContext.meters.counter("sluice.hubspot.records.read", "object", "deals").count();
  }

  static void add(long id, long millis) {
    stub.put("deals", id, millis, Map.of("dealname", "Deal " + id));
    modified.put(Long.toString(id), millis);
  }

  @AfterAll
  static void stop() throws Exception {
    connector.close();
    stub.close();
  }

  @Test
  void readsEveryChangedRecordExactlyOnceInTimeThenIdOrderDespiteTheCapAndTies() throws Exception {
    Harness.Run run = all;
    List<String> keys = run.keys();
    assertThat(keys).hasSize(TOTAL).doesNotHaveDuplicates();
    assertThat(new HashSet<>(keys)).isEqualTo(modified.keySet());
    for (int i = 1; i < keys.size(); i++) {
      String a = keys.get(i - 1);
      String b = keys.get(i);
      long ta = modified.get(a);
      long tb = modified.get(b);
      assertThat(ta < tb || (ta == tb && new BigInteger(a).compareTo(new BigInteger(b)) < 0))
          .as("record %s (%s) before %s (%s)", a, ta, b, tb).isTrue();
    }
    assertThat(stub.pagesPastCap.get()).as("pages refused past the 10,000-result cap").isZero();
    assertThat(searches).allSatisfy(s -> {
      assertThat(s.body().path("limit").asInt()).isBetween(1, 200);
      assertThat(s.body().path("sorts").size()).isEqualTo(1);
      assertThat(s.body().path("sorts").path(0).path("direction").asText()).isEqualTo("ASCENDING");
    });
    // The 12,000-record tie was read on its own by id, keyed on the last id.
    assertThat(searches).anySatisfy(s -> {
      assertThat(s.body().path("sorts").path(0).path("propertyName").asText()).isEqualTo("hs_object_id");
      assertThat(s.body().toString()).contains("\"operator\":\"EQ\",\"value\":\"" + T1 + "\"");
    });
    // Keyset paging costs few more requests than offset paging would: 26,000 / 200 = 130.
    assertThat(searches.size()).isLessThan(200);
    assertThat(run.lastCheckpoint().state().path("modifiedAtMillis").asLong())
        .isEqualTo(modified.values().stream().mapToLong(Long::longValue).max().orElseThrow());
    assertThat(counted).as("progress count").isEqualTo(TOTAL);
    assertThat(run.logLines).anySatisfy(l -> assertThat(l).contains("25000 deals record(s) read so far"));
  }

  @Test
  void everyCheckpointResumesWithExactlyTheRecordsAfterIt() throws Exception {
    Harness h = harness;
    Connector c = connector;
    {
      List<String> keys = all.keys();
      // Checkpoints: inside the 12,000 tie (time + last id), after it, inside groups, at the end.
      List<Integer> positions = new ArrayList<>();
      List<Checkpoint> checkpoints = new ArrayList<>();
      int records = 0;
      for (Object item : all.items) {
        if (item instanceof Record) {
          records++;
        } else if (item instanceof Checkpoint cp) {
          positions.add(records);
          checkpoints.add(cp);
        }
      }
      int midTie = -1;
      for (int i = 0; i < checkpoints.size(); i++) {
        JsonNode s = checkpoints.get(i).state();
        if (s.has("lastId") && s.path("modifiedAtMillis").asLong() == T1 && positions.get(i) > 10_000) {
          midTie = i;
          break;
        }
      }
      assertThat(midTie).as("a checkpoint inside the 12,000-record tie").isNotNegative();
      int afterT2 = -1;
      for (int i = 0; i < checkpoints.size(); i++) {
        JsonNode s = checkpoints.get(i).state();
        if (!s.has("lastId") && s.path("modifiedAtMillis").asLong() > T2) {
          afterT2 = i;
          break;
        }
      }
      for (int i : List.of(midTie, afterT2, checkpoints.size() - 1)) {
        Harness.Run rest = h.read(c, checkpoints.get(i));
        assertThat(rest.keys()).as("read from checkpoint %s", checkpoints.get(i).state())
            .containsExactlyElementsOf(keys.subList(positions.get(i), keys.size()));
      }
      assertThat(h.read(c, Harness.future(all.lastCheckpoint())).keys()).isEmpty();
    }
  }

  @Test
  void theStubAnswersTiesInAnOrderThatChangesBetweenRequests() throws Exception {
    // What makes offset paging over ties lose records, and what the reader must not depend on.
    String body = "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"hs_lastmodifieddate\",\"operator\":\"EQ\","
        + "\"value\":\"" + T1 + "\"}]}],\"sorts\":[{\"propertyName\":\"hs_lastmodifieddate\",\"direction\":\"ASCENDING\"}],"
        + "\"properties\":[\"dealname\"],\"limit\":200}";
    HttpClient client = HttpClient.newHttpClient();
    List<String> first = ids(client, body);
    List<String> second = ids(client, body);
    assertThat(first).hasSize(200);
    assertThat(second).hasSize(200).isNotEqualTo(first);
  }

  private static List<String> ids(HttpClient client, String body) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/crm/v3/objects/deals/search"))
        .header("Authorization", "Bearer pat-na1-cap-token").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    List<String> ids = new ArrayList<>();
    Harness.JSON.readTree(r.body()).path("results").forEach(n -> ids.add(n.path("id").asText()));
    return ids;
  }
}
