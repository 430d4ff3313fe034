package dev.sluice.connectors.http;

import static dev.sluice.connectors.http.Harness.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.connectors.http.ApiStub.Answer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Record selection: JSONPath, JSON Lines, CSV, keys, projection, templates in requests. */
@Timeout(30)
class HttpRecordsTest extends StubbedApiTest {

  private HttpConnector http(String yaml) {
    return connector("baseUrl: " + api.url() + "/v2\n" + yaml);
  }

  @Test
  void aJsonPathWithAFilterSelectsRecordsAndFieldsAreProjected() throws Exception {
    api.on("/v2/orders", r -> Answer.json("""
        {"data": {"orders": [
          {"id": 1, "status": "open", "customer": {"name": "Ann", "email": "a@x"}, "lines": [1, 2]},
          {"id": 2, "status": "void", "customer": {"name": "Bo", "email": "b@x"}},
          {"id": 3, "status": "open", "customer": {"name": "Cy"}}
        ]}}"""));
    Harness.Run run = read(http("""
        path: /orders
        records:
          path: "$.data.orders[?(@.status == 'open')]"
          key: id
          fields: [id, customer.email]
        """), time, null);

    assertThat(run.keys()).containsExactly("1", "3");
    assertThat(run.records().get(0).data().toString()).isEqualTo("{\"id\":1,\"customer\":{\"email\":\"a@x\"}}");
    assertThat(run.records().get(1).data().toString()).isEqualTo("{\"id\":3}");
  }

  @Test
  void jsonLinesByContentTypeWithBadLinesDeadLettered() throws Exception {
    api.on("/v2/export", r -> new Answer(200, Map.of("Content-Type", "application/x-ndjson"),
        "{\"id\":\"a\"}\n\nnot json\n[1]\n{\"id\":\"b\"}\n{\"name\":\"no id\"}\n"));
    Harness.Run run = read(http("path: /export\nrecords: { key: id }"), time, null);

    assertThat(run.keys()).containsExactly("a", "b");
    assertThat(run.rejected()).extracting(Harness.Run.Rejected::raw)
        .containsExactly("not json", "[1]", "{\"name\":\"no id\"}");
    assertThat(run.rejected().get(0).location()).isEqualTo("GET " + api.url() + "/v2/export line 3");
    assertThat(run.rejected().get(0).reason()).startsWith("not valid JSON");
    assertThat(run.rejected().get(2).reason()).contains("field 'id' is missing");
  }

  @Test
  void csvByOptionWithTypedCells() throws Exception {
    api.on("/v2/report.csv", r -> new Answer(200, Map.of("Content-Type", "application/octet-stream"),
        "day;clicks;ok\n2026-01-01;12;true\n2026-01-02;;false\n"));
    Harness.Run run = read(http("path: /report.csv\nrecords: { format: csv, delimiter: \";\", key: day }"), time, null);

    assertThat(run.keys()).containsExactly("2026-01-01", "2026-01-02");
    assertThat(run.records().get(0).data().toString()).isEqualTo("{\"day\":\"2026-01-01\",\"clicks\":12,\"ok\":true}");
    assertThat(run.records().get(1).data().get("clicks").isNull()).isTrue();
  }

  @Test
  void csvByContentType() throws Exception {
    api.on("/v2/r", r -> new Answer(200, Map.of("Content-Type", "text/csv; charset=utf-8"), "id,n\nx,1\ny,2\n"));
    assertThat(read(http("path: /r\nrecords: { key: id }"), time, null).keys()).containsExactly("x", "y");
  }

  @Test
  void aKeyTemplateOverRecordAndParameters() throws Exception {
    api.on("/v2/r", r -> Answer.json(List.of(Map.of("id", 7, "kind", "deal"))));
    Harness.Run run = read(http("path: /r\nrecords: { keyTemplate: \"{params.tenant}/{record.kind}-{record.id}\" }"),
        time, null, JsonNodeFactory.instance.objectNode().put("tenant", "acme"));
    assertThat(run.keys()).containsExactly("acme/deal-7");
  }

  @Test
  void withoutAKeyTheContentHashIsStableAcrossReads() throws Exception {
    api.on("/v2/r", r -> Answer.json(List.of(Map.of("a", 1), Map.of("a", 2))));
    HttpConnector c = http("path: /r");
    List<String> first = read(c, time, null).keys();
    List<String> second = read(c, time, null).keys();
    assertThat(first).hasSize(2).doesNotHaveDuplicates().allMatch(k -> k.startsWith("sha256:"));
    assertThat(second).isEqualTo(first);
  }

  @Test
  void aRootObjectIsOneRecordAndNonObjectsAreDeadLettered() throws Exception {
    api.on("/v2/one", r -> Answer.json(Map.of("id", "only")));
    assertThat(read(http("path: /one\nrecords: { key: id }"), time, null).keys()).containsExactly("only");
    connector.close();
    api.on("/v2/mixed", r -> Answer.json("[{\"id\":\"a\"}, 5, \"x\"]"));
    Harness.Run run = read(http("path: /mixed\nrecords: { key: id }"), time, null);
    assertThat(run.keys()).containsExactly("a");
    assertThat(run.rejected()).extracting(Harness.Run.Rejected::reason)
        .containsExactly("expected a JSON object, found NUMBER", "expected a JSON object, found STRING");
  }

  @Test
  void aBodyThatIsNotJsonFailsNamingTheRequestAndItsFirstBytes() {
    api.on("/v2/r", r -> new Answer(200, Map.of("Content-Type", "application/json"), "<html>maintenance</html>"));
    assertThatThrownBy(() -> read(http("path: /r"), time, null))
        .isInstanceOf(HttpSourceException.class)
        .hasMessageContaining("GET " + api.url() + "/v2/r answered 200 but the body is not JSON")
        .hasMessageContaining("<html>maintenance</html>");
  }

  @Test
  void templateValuesAreEncodedSoTheyCanNotAddPathSegmentsOrQueryParameters() throws Exception {
    api.on("/v2/users/a%2F..%2Fadmin%3Fx%3D1/items", r -> Answer.json(List.of()));
    api.on("/v2/users/a/../admin", r -> Answer.json(List.of(Map.of("id", "leaked"))));
    Harness.Run run = read(http("""
        path: /users/{params.user}/items
        query: { q: "{params.q}", fixed: "a b&c" }
        headers: { X-Tenant: "{params.tenant}" }
        """), time, null, JsonNodeFactory.instance.objectNode()
        .put("user", "a/../admin?x=1").put("q", "x&admin=true#frag").put("tenant", "t1"));

    assertThat(run.records()).isEmpty();
    ApiStub.Received r = api.requests.get(0);
    assertThat(r.path()).as("the value stayed one segment").isEqualTo("/v2/users/a%2F..%2Fadmin%3Fx%3D1/items");
    assertThat(r.query()).containsOnlyKeys("q", "fixed").containsEntry("q", "x&admin=true#frag")
        .containsEntry("fixed", "a b&c");
    assertThat(r.header("X-Tenant")).isEqualTo("t1");
  }

  @Test
  void aHeaderValueWithALineBreakIsRefused() {
    api.on("/v2/r", r -> Answer.json(List.of()));
    HttpConnector c = http("path: /r\nheaders: { X-Tenant: \"{params.tenant}\" }");
    assertThatThrownBy(() -> read(c, time, null, JsonNodeFactory.instance.objectNode()
        .put("tenant", "t1\r\nX-Admin: true")))
        .hasMessageContaining("header 'X-Tenant' contains a line break");
    assertThat(api.requests).isEmpty();
  }

  @Test
  void dateArithmeticAndParametersWithDefaultsInTheQuery() throws Exception {
    api.on("/v2/r", r -> Answer.json(List.of()));
    read(http("""
        path: /r
        timeZone: Europe/Berlin
        query:
          from: "{now-7d/d:yyyy-MM-dd'T'HH:mm}"
          to: "{now:iso-offset}"
          month: "{now-1M/M:yyyy-MM}"
          region: "{params.region|eu}"
          optional: "{params.missing}"
          ids: [1, 2]
        """), time, null);
    // FakeTime starts at 2026-01-01T00:00Z = 01:00 in Berlin
    assertThat(api.requests.get(0).rawQuery()).isEqualTo(
        "from=2025-12-25T00%3A00&to=2026-01-01T01%3A00%3A00%2B01%3A00&month=2025-12&region=eu&ids=1&ids=2");
  }

  @Test
  void aMissingParameterInThePathFailsNamingIt() {
    api.on("/v2/r", r -> Answer.json(List.of()));
    assertThatThrownBy(() -> read(http("path: /r/{params.account}"), time, null))
        .hasMessageContaining("{params.account} has no value")
        .hasMessageContaining("the run was started without that parameter");
  }
}
