package dev.sluice.connectors.http;

import static dev.sluice.connectors.http.Harness.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.http.ApiStub.Answer;
import dev.sluice.record.Checkpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Incremental sync against an API that filters with {@code updated_since} (inclusive, as most do)
 * and sorts ascending, two records per page.
 */
@Timeout(30)
class HttpIncrementalTest extends StubbedApiTest {
  /** id, updated_at: two records share 10:02; e is written with an offset (10:04Z). */
  private final List<String[]> rows = new CopyOnWriteArrayList<>(List.of(
      new String[] {"a", "2026-01-01T10:00:00Z"},
      new String[] {"b", "2026-01-01T10:01:00Z"},
      new String[] {"c", "2026-01-01T10:02:00Z"},
      new String[] {"d", "2026-01-01T10:02:00Z"},
      new String[] {"e", "2026-01-01T11:04:00+01:00"}));

  HttpIncrementalTest() throws Exception {
    api.on("/orders", r -> {
      Instant since = r.param("updated_since") == null ? Instant.MIN : Instant.parse(r.param("updated_since"));
      int page = r.param("page") == null ? 1 : Integer.parseInt(r.param("page"));
      List<ObjectNode> matching = new ArrayList<>();
      for (String[] row : rows) {
        if (!java.time.OffsetDateTime.parse(row[1]).toInstant().isBefore(since)) {
          matching.add(JsonNodeFactory.instance.objectNode().put("id", row[0]).put("updated_at", row[1]));
        }
      }
      ArrayNode data = JsonNodeFactory.instance.arrayNode();
      matching.stream().skip((page - 1) * 2L).limit(2).forEach(data::add);
      return Answer.json(Map.of("data", data));
    });
  }

  private HttpConnector http(String incremental) {
    return connector("baseUrl: " + api.url() + "\npath: /orders\nrecords: { path: $.data, key: id }\n"
        + "pagination: { type: page, size: 2 }\nincremental: " + incremental);
  }

  @Test
  void checkpointsAfterEveryPageAndResumesWithExactlyTheRecordsAfterIt() throws Exception {
    HttpConnector c = http("{ field: updated_at, param: updated_since }");
    Harness.Run all = read(c, time, null);

    assertThat(all.keys()).containsExactly("a", "b", "c", "d", "e");
    assertThat(all.checkpoints()).hasSize(3);
    assertThat(all.checkpoints().get(0).toString()).isEqualTo("{\"cursor\":\"2026-01-01T10:01:00Z\",\"atCursor\":[\"b\"]}");
    assertThat(all.checkpoints().get(1).toString())
        .as("keys sharing the highest timestamp are all remembered")
        .isEqualTo("{\"cursor\":\"2026-01-01T10:02:00Z\",\"atCursor\":[\"c\",\"d\"]}");
    assertThat(all.checkpoints().get(2).path("cursor").asText()).isEqualTo("2026-01-01T10:04:00Z");
    assertThat(all.items.get(all.items.size() - 1)).isInstanceOf(Checkpoint.class);

    api.requests.clear();
    Harness.Run rest = read(c, time, Checkpoint.of(all.checkpoints().get(0)));
    assertThat(rest.keys()).containsExactly("c", "d", "e");
    assertThat(api.requests.get(0).param("updated_since")).isEqualTo("2026-01-01T10:01:00Z");

    Harness.Run afterTies = read(c, time, Checkpoint.of(all.checkpoints().get(1)));
    assertThat(afterTies.keys()).containsExactly("e");
  }

  @Test
  void aRecordArrivingLaterWithTheLastSeenTimestampIsNotLost() throws Exception {
    HttpConnector c = http("{ field: updated_at, param: updated_since }");
    Harness.Run first = read(c, time, null);
    rows.add(new String[] {"f", "2026-01-01T10:04:00Z"}); // same instant as e, written after the first read

    Harness.Run second = read(c, time, Checkpoint.of(first.lastCheckpoint()));
    assertThat(second.keys()).containsExactly("f");
    assertThat(second.lastCheckpoint().toString()).isEqualTo("{\"cursor\":\"2026-01-01T10:04:00Z\",\"atCursor\":[\"e\",\"f\"]}");
  }

  @Test
  void aCheckpointFromTheFutureReadsNothingEvenIfTheApiIgnoresTheFilter() throws Exception {
    HttpConnector c = connector("baseUrl: " + api.url() + "\npath: /orders\nrecords: { path: $.data, key: id }\n"
        + "pagination: { type: page, size: 2 }\nincremental: { field: updated_at, param: ignored_by_the_api }");
    Harness.Run future = read(c, time, Checkpoint.of(JsonNodeFactory.instance.objectNode()
        .put("cursor", "2999-01-01T00:00:00Z")));
    assertThat(future.records()).isEmpty();
    assertThat(future.checkpoints()).isEmpty();
  }

  @Test
  void aLookbackReadsAMarginAgain() throws Exception {
    HttpConnector c = http("{ field: updated_at, param: updated_since, lookback: 2m }");
    Harness.Run first = read(c, time, null);
    api.requests.clear();
    Harness.Run second = read(c, time, Checkpoint.of(first.lastCheckpoint()));

    assertThat(api.requests.get(0).param("updated_since")).isEqualTo("2026-01-01T10:02:00Z");
    assertThat(second.keys()).containsExactly("c", "d", "e");
  }

  @Test
  void startAndACustomFormatWrittenThroughTheCursorTemplate() throws Exception {
    connector("baseUrl: " + api.url() + "\npath: /orders\nrecords: { path: $.data, key: id }\n"
        + "query: { updated_since: \"{cursor}\" }\n"
        + "incremental: { field: updated_at, format: \"yyyy-MM-dd'T'HH:mm:ssXXX\", start: \"{now+10h+1m}\" }");
    Harness.Run run = read(connector, time, null);
    assertThat(api.requests.get(0).param("updated_since")).isEqualTo("2026-01-01T10:01:00Z");
    assertThat(run.keys()).containsExactly("b", "c");
  }

  @Test
  void unsortedSourcesCheckpointOnlyWhenTheStreamIsComplete() throws Exception {
    rows.add(1, new String[] {"old", "2026-01-01T09:00:00Z"});
    HttpConnector c = http("{ field: updated_at, param: updated_since, sorted: false }");
    Harness.Run all = read(c, time, null);
    assertThat(all.checkpoints()).hasSize(1);
    assertThat(all.items.get(all.items.size() - 1)).isInstanceOf(Checkpoint.class);

    Harness.Run cancelled = new Harness.Run(time, null);
    cancelled.cancelAfterRecords = 3;
    c.read(cancelled, null, cancelled);
    assertThat(cancelled.records()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(cancelled.checkpoints()).as("a cancelled unsorted read commits nothing").isEmpty();
  }

  @Test
  void recordsOutOfOrderWhileSortedIsClaimedAreWarnedAbout() throws Exception {
    rows.add(new String[] {"late", "2026-01-01T09:00:00Z"});
    rows.add(new String[] {"z", "2026-01-01T11:00:00Z"});
    Harness.Run run = read(http("{ field: updated_at, param: updated_since }"), time, null);
    assertThat(run.logLines).anyMatch(l -> l.startsWith("WARN") && l.contains("not sorted ascending by 'updated_at'")
        && l.contains("sorted: false"));
  }

  @Test
  void numbersAsCursor() throws Exception {
    api.on("/events", r -> {
      long after = r.param("since_id") == null ? 0 : Long.parseLong(r.param("since_id"));
      ArrayNode data = JsonNodeFactory.instance.arrayNode();
      for (long id = after; id <= 12; id++) {
        if (id >= 10) {
          data.addObject().put("id", id);
        }
      }
      return Answer.json(data);
    });
    connector("baseUrl: " + api.url() + "\npath: /events\nrecords: { key: id }\n"
        + "incremental: { field: id, type: number, param: since_id }");
    Harness.Run first = read(connector, time, null);
    assertThat(first.keys()).containsExactly("10", "11", "12");
    assertThat(first.lastCheckpoint().toString()).isEqualTo("{\"cursor\":12,\"atCursor\":[\"12\"]}");
    Harness.Run second = read(connector, time, Checkpoint.of(first.lastCheckpoint()));
    assertThat(second.keys()).isEmpty();
    assertThat(api.requests.get(1).param("since_id")).isEqualTo("12");
  }

  @Test
  void fullRefreshReadsEverythingEveryTimeAndCanTellWhenTheLastCompleteReadBegan() throws Exception {
    connector("baseUrl: " + api.url() + "\npath: /orders\nrecords: { path: $.data, key: id }\n"
        + "query: { last_run: \"{checkpoint.completedAt}\" }\npagination: { type: page, size: 2 }");
    Harness.Run first = read(connector, time, null);
    time.advance(java.time.Duration.ofHours(1));
    Harness.Run second = read(connector, time, Checkpoint.of(first.lastCheckpoint()));

    assertThat(first.checkpoints()).hasSize(1);
    assertThat(first.lastCheckpoint().toString()).isEqualTo("{\"completedAt\":\"2026-01-01T00:00:00Z\"}");
    assertThat(second.keys()).containsExactly("a", "b", "c", "d", "e");
    assertThat(second.lastCheckpoint().toString()).isEqualTo("{\"completedAt\":\"2026-01-01T01:00:00Z\"}");
    assertThat(api.requests.get(0).param("last_run")).as("no checkpoint yet: left out").isNull();
    assertThat(api.requests.get(3).param("last_run")).isEqualTo("2026-01-01T00:00:00Z");
  }
}
