package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.http.ApiStub.Answer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The http examples of docs/user-guide/connectors.md (schema-checked by the cli's DocsYamlTest)
 * also create, and read from a stub standing in for the API at their base URLs: the requests they
 * make are the ones the text describes.
 */
@Timeout(30)
class ConnectorsDocTest extends StubbedApiTest {
  private static final Pattern BLOCK = Pattern.compile("(?:^|\\n)([^\\n]*)\\n```yaml\\n(.*?)```", Pattern.DOTALL);

  /** Every http source of the complete configurations in the doc, by pipeline name. */
  private static Map<String, ObjectNode> sources() throws Exception {
    String doc = Files.readString(Path.of("../docs/user-guide/connectors.md"));
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    Matcher m = BLOCK.matcher(doc);
    while (m.find()) {
      if (m.group(1).contains("validate: skip")) {
        continue;
      }
      JsonNode config = Harness.YAML.readTree(m.group(2));
      config.path("pipelines").properties().forEach(p -> {
        if (p.getValue().path("source").path("type").asText().equals("http")) {
          out.put(p.getKey(), (ObjectNode) p.getValue().get("source"));
        }
      });
    }
    return out;
  }

  /** The source's options with the API moved to the stub and ${...} variables as placeholders. */
  private HttpConnector create(ObjectNode source) throws Exception {
    String text = Harness.YAML.writeValueAsString(source)
        .replaceAll("https://[a-z.]+\\.example\\.com", api.url())
        .replaceAll("\\$\\{(env|secret):([A-Za-z0-9_.-]+)}", "$1-$2");
    Harness.MapSecrets secrets = new Harness.MapSecrets().with("crm_refresh_token", "rt-1")
        .with("ads_access_token", "ads-token-1");
    return connector(text, secrets);
  }

  @Test
  void theDocHasTheFourHttpConfigurations() throws Exception {
    assertThat(sources()).containsOnlyKeys("tickets", "crm-deals", "tracker-issues", "ad-report");
  }

  @Test
  void theHelpdeskExampleAsksForOpenTicketsPageByPage() throws Exception {
    api.on("/v2/tickets", r -> Answer.json(Map.of("tickets", List.of())));
    Harness.read(create(sources().get("tickets")), time, null);
    assertThat(api.requests.get(0).rawQuery()).isEqualTo("status=open&per_page=100&page=1");
    assertThat(api.requests.get(0).header("Authorization")).isEqualTo("Bearer secret-helpdesk_token");
  }

  @Test
  void theCrmExampleRefreshesItsTokenAndSearchesFromTheStart() throws Exception {
    api.on("/oauth/v1/token", r -> Answer.json(Map.of("access_token", "at-1", "expires_in", 1800,
        "refresh_token", "rt-2")));
    api.on("/crm/v3/objects/deals/search", r -> Answer.json(Map.of("results", List.of(
        Map.of("id", "d1", "properties", Map.of("amount", 5, "hs_lastmodifieddate", "1767225600000"))))));
    Harness.Run run = Harness.read(create(sources().get("crm-deals")), time, null);

    assertThat(run.keys()).containsExactly("d1");
    ApiStub.Received search = api.requestsTo("/crm/v3/objects/deals/search").get(0);
    assertThat(search.header("Authorization")).isEqualTo("Bearer at-1");
    JsonNode body = search.json();
    assertThat(body.has("after")).as("no page cursor on the first page").isFalse();
    assertThat(body.at("/filterGroups/0/filters/0/value").asText())
        .as("the first run starts 90 days back (the lookback applies to checkpoints), in epoch millis")
        .isEqualTo(String.valueOf(time.instant().minusSeconds(90L * 86400).toEpochMilli()));
    assertThat(run.lastCheckpoint().path("cursor").asText()).isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void theTrackerExampleReadsEachRepositorysIssuesSinceItsStart() throws Exception {
    api.on("/api/v3/orgs/acme/repos", r -> Answer.json(List.of(Map.of("name", "app"), Map.of("name", "gone"))));
    api.on("/api/v3/repos/acme/app/issues", r -> Answer.json(List.of(Map.of("number", 7, "title", "Bug",
        "state", "open", "updated_at", "2024-05-01T00:00:00Z", "user", Map.of("login", "ann", "id", 1)))));
    api.on("/api/v3/repos/acme/gone/issues", r -> Answer.status(404, "{}"));
    Harness.Run run = Harness.read(create(sources().get("tracker-issues")), time, null);

    assertThat(run.keys()).containsExactly("app#7");
    assertThat(run.records().get(0).data().toString())
        .isEqualTo("{\"number\":7,\"title\":\"Bug\",\"state\":\"open\",\"updated_at\":\"2024-05-01T00:00:00Z\",\"user\":{\"login\":\"ann\"}}");
    ApiStub.Received first = api.requestsTo("/api/v3/repos/acme/app/issues").get(0);
    assertThat(first.rawQuery()).isEqualTo("state=all&sort=updated&direction=asc&per_page=100&since=2024-01-01T00%3A00%3A00Z");
    assertThat(first.header("X-Api-Key")).isEqualTo("secret-tracker_api_key");
  }

  @Test
  void theReportExampleAsksForOneDayAtATimeSinceTheFirstOfLastMonth() throws Exception {
    api.on("/v1/accounts/1234567/reports", r -> new Answer(200, Map.of("Content-Type", "text/csv"),
        "date,campaign_id,clicks\n" + r.json().at("/time_range/since").asText() + ",c1,3\n"));
    Harness.Run run = Harness.read(create(sources().get("ad-report")), time, null);

    // FakeTime starts 2026-01-01T00:00Z = 01:00 in Berlin: last month is December 2025
    List<ApiStub.Received> requests = api.requests;
    assertThat(requests).hasSize(32);
    assertThat(requests.get(0).json().get("time_range").toString()).isEqualTo("{\"since\":\"2025-12-01\",\"until\":\"2025-12-01\"}");
    assertThat(requests.get(31).json().get("time_range").toString()).isEqualTo("{\"since\":\"2026-01-01\",\"until\":\"2026-01-01\"}");
    assertThat(requests.get(0).header("Authorization")).isEqualTo("Bearer ads-token-1");
    assertThat(run.keys()).first().isEqualTo("2025-12-01/c1");
    assertThat(run.lastCheckpoint().toString()).isEqualTo("{\"datesDoneUntil\":\"2025-12-31T23:00:00Z\"}");
  }
}
