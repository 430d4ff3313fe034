package dev.sluice.connectors.http;

import static dev.sluice.connectors.http.Harness.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.connectors.http.ApiStub.Answer;
import dev.sluice.record.Checkpoint;
import dev.sluice.spi.PluginConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Substreams: a fixed list, a parent request, date slices; each with its own checkpoint entry. */
@Timeout(30)
class HttpPartitionsTest extends StubbedApiTest {

  private HttpConnector http(String yaml) {
    return connector("baseUrl: " + api.url() + "\n" + yaml);
  }

  /** Projects p1, p2 (page 1) and p3 (page 2); p3's issues were deleted (404). */
  private void projectsApi() {
    api.on("/projects", r -> "2".equals(r.param("page"))
        ? Answer.json(Map.of("projects", List.of(Map.of("id", "p3", "name", "Gamma"))))
        : Answer.json(Map.of("projects", List.of(Map.of("id", "p1", "name", "Alpha"), Map.of("id", "p2", "name", "Beta"))))
            .header("Link", "<" + api.url() + "/projects?page=2>; rel=next"));
    for (String p : List.of("p1", "p2")) {
      api.on("/projects/" + p + "/issues", r -> {
        int since = r.param("since") == null ? 0 : Integer.parseInt(r.param("since"));
        ArrayNode issues = JsonNodeFactory.instance.arrayNode();
        for (int v = Math.max(since, 1); v <= (p.equals("p1") ? 3 : 2); v++) {
          issues.addObject().put("id", p + "-" + v).put("version", v);
        }
        return Answer.json(issues);
      });
    }
    api.on("/projects/p3/issues", r -> Answer.status(404, "{\"error\":\"project deleted\"}"));
  }

  private static final String ISSUES = """
      path: /projects/{partition}/issues
      query: { project_name: "{partition.name}" }
      records: { key: id }
      incremental: { field: version, type: number, param: since }
      onStatus: { "404": ignore }
      partitions:
        type: request
        value: id
        request:
          path: /projects
          records: { path: $.projects }
          pagination: { type: link }
      """;

  @Test
  void oneStreamPerParentRecordEachWithItsOwnCursorAndIgnoredDeletedChildren() throws Exception {
    projectsApi();
    Harness.Run run = read(http(ISSUES), time, null);

    assertThat(run.keys()).containsExactly("p1-1", "p1-2", "p1-3", "p2-1", "p2-2");
    assertThat(run.records().get(0).attributes()).containsEntry("partition", "p1");
    assertThat(api.requestsTo("/projects/p1/issues").get(0).param("project_name")).isEqualTo("Alpha");
    assertThat(run.lastCheckpoint().toString()).isEqualTo("{\"partitions\":{"
        + "\"p1\":{\"cursor\":3,\"atCursor\":[\"p1-3\"]},\"p2\":{\"cursor\":2,\"atCursor\":[\"p2-2\"]}}}");
    assertThat(run.requests).anyMatch(l -> l.contains("/projects/p3/issues") && l.contains("404, ignored"));

    api.requests.clear();
    Harness.Run again = read(connector, time, Checkpoint.of(run.lastCheckpoint()));
    assertThat(again.keys()).isEmpty();
    assertThat(api.requestsTo("/projects/p1/issues").get(0).param("since")).isEqualTo("3");
    assertThat(api.requestsTo("/projects/p2/issues").get(0).param("since")).isEqualTo("2");
  }

  @Test
  void resumingFromAPartitionCheckpointReadsOnlyWhatFollowsInEachPartition() throws Exception {
    projectsApi();
    Harness.Run all = read(http(ISSUES), time, null);
    Harness.Run rest = read(connector, time, Checkpoint.of(all.checkpoints().get(0)));

    assertThat(all.checkpoints().get(0).toString()).isEqualTo("{\"partitions\":{\"p1\":{\"cursor\":3,\"atCursor\":[\"p1-3\"]}}}");
    assertThat(rest.keys()).containsExactly("p2-1", "p2-2");
  }

  @Test
  void partitionsThatDisappearedAreDroppedFromTheCheckpoint() throws Exception {
    projectsApi();
    Checkpoint old = Checkpoint.of(Harness.yaml("partitions: { p1: { cursor: 3 }, gone: { cursor: 9 } }"));
    Harness.Run run = read(http(ISSUES), time, old);
    assertThat(run.lastCheckpoint().path("partitions").has("gone")).isFalse();
    assertThat(run.lastCheckpoint().path("partitions").has("p2")).isTrue();
  }

  @Test
  void anIgnoredPartitionListForgetsNoPartition() throws Exception {
    api.on("/projects", r -> Answer.status(404, "{\"error\":\"organisation moved\"}"));
    Checkpoint old = Checkpoint.of(Harness.yaml("partitions: { p1: { cursor: 3 } }"));
    Harness.Run run = read(http(ISSUES), time, old);
    assertThat(run.checkpoints()).as("nothing changed, nothing was dropped").isEmpty();
  }

  @Test
  void aFixedListInFullRefreshRemembersFinishedPartitionsOnlyUntilTheReadCompletes() throws Exception {
    api.on("/stats", r -> Answer.json(List.of(Map.of("region", r.param("region"), "n", 1))));
    http("""
        path: /stats
        query: { region: "{partition}" }
        records: { key: region }
        partitions: { type: list, values: [eu, us, apac] }
        """);
    Harness.Run all = read(connector, time, null);
    assertThat(all.keys()).containsExactly("eu", "us", "apac");
    assertThat(all.checkpoints()).extracting(Object::toString).containsExactly(
        "{\"done\":[\"eu\"]}", "{\"done\":[\"eu\",\"us\"]}", "{\"done\":[\"eu\",\"us\",\"apac\"]}",
        "{\"completedAt\":\"2026-01-01T00:00:00Z\"}");

    Harness.Run resumed = read(connector, time, Checkpoint.of(all.checkpoints().get(1)));
    assertThat(resumed.keys()).as("a crashed full refresh continues").containsExactly("apac");
    Harness.Run next = read(connector, time, Checkpoint.of(all.lastCheckpoint()));
    assertThat(next.keys()).as("a completed one starts over").containsExactly("eu", "us", "apac");
  }

  @Test
  void dateSlicesFromStartToNowWithOnlyCompleteSlicesCheckpointed() throws Exception {
    time.advance(Duration.ofHours(30)); // 2026-01-02T06:00Z
    api.on("/report", r -> Answer.json(List.of(Map.of("day", r.param("from"), "clicks", 10))));
    http("""
        path: /report
        query: { from: "{partition.start}", to: "{partition.endInclusive}" }
        records: { key: day }
        partitions: { type: dates, start: "{now-3d/d}", step: 1d }
        """);
    Harness.Run first = read(connector, time, null);

    assertThat(api.requests).extracting(r -> r.param("from") + ".." + r.param("to"))
        .containsExactly("2025-12-30..2025-12-30", "2025-12-31..2025-12-31", "2026-01-01..2026-01-01",
            "2026-01-02..2026-01-02");
    assertThat(first.checkpoints()).extracting(Object::toString).containsExactly(
        "{\"datesDoneUntil\":\"2025-12-31T00:00:00Z\"}", "{\"datesDoneUntil\":\"2026-01-01T00:00:00Z\"}",
        "{\"datesDoneUntil\":\"2026-01-02T00:00:00Z\"}");

    // the next morning: today's partial slice and the new day are read; nothing before
    time.advance(Duration.ofDays(1));
    api.requests.clear();
    read(connector, time, Checkpoint.of(first.lastCheckpoint()));
    assertThat(api.requests).extracting(r -> r.param("from")).containsExactly("2026-01-02", "2026-01-03");

    Harness.Run future = read(connector, time, Checkpoint.of(JsonNodeFactory.instance.objectNode()
        .put("datesDoneUntil", "2999-01-01T00:00:00Z")));
    assertThat(future.records()).isEmpty();
  }

  @Test
  void dateSlicesWithAnExplicitEndAndAWeeklyStepAndLookback() throws Exception {
    api.on("/report", r -> Answer.json(List.of(Map.of("week", r.param("from")))));
    http("""
        path: /report
        query: { from: "{partition.start}", until: "{partition.end}" }
        records: { key: week }
        partitions: { type: dates, start: 2025-12-01, end: 2025-12-22, step: 1w, lookback: 7d }
        """);
    Harness.Run first = read(connector, time, null);
    assertThat(first.keys()).containsExactly("2025-12-01", "2025-12-08", "2025-12-15");
    assertThat(first.lastCheckpoint().toString()).isEqualTo("{\"datesDoneUntil\":\"2025-12-22T00:00:00Z\"}");
    assertThat(read(connector, time, Checkpoint.of(first.lastCheckpoint())).keys())
        .as("the lookback re-reads the last week").containsExactly("2025-12-15");
  }

  @Test
  void datePartitionsAndIncrementalDoNotCombine() {
    assertThatThrownBy(() -> http("""
        path: /x
        incremental: { field: t, param: since }
        partitions: { type: dates, start: 2025-01-01 }
        """)).isInstanceOf(PluginConfigException.class).hasMessageContaining("date partitions are the incremental position");
  }
}
