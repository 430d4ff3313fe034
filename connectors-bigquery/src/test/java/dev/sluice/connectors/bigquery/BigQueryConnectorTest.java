package dev.sluice.connectors.bigquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.google.internal.GoogleApiException;
import dev.sluice.connectors.google.testing.GoogleHarness.Ctx;
import dev.sluice.connectors.google.testing.GoogleHarness.MutableClock;
import dev.sluice.connectors.google.testing.GoogleHarness.RecordingSleeper;
import dev.sluice.connectors.google.testing.GoogleStub;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.testkit.CollectingEmitter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BigQueryConnectorTest {
  private static final long T0 = 1_704_067_200_000_000L; // 2024-01-01T00:00:00Z in microseconds
  private static final String QUERY =
      "SELECT id, name, amount, updated_at FROM shop.orders WHERE updated_at > @last_updated ORDER BY updated_at, id";

  private GoogleStub stub;
  private BigQueryFake bq;
  private MutableClock clock;
  private RecordingSleeper sleeper;
  private Ctx ctx;

  @BeforeEach
  void start() throws Exception {
    stub = new GoogleStub();
    bq = new BigQueryFake();
    stub.onApi(bq::handle);
    clock = new MutableClock(Instant.parse("2024-02-01T10:00:00Z"));
    sleeper = new RecordingSleeper(clock);
    ctx = new Ctx(clock);
    for (int i = 1; i <= 25; i++) {
      // ties: two rows per updated_at second
      bq.add(i, "order-" + i, i + ".10", T0 + (i / 2) * 1_000_000L);
    }
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private Map<String, Object> options() {
    Map<String, Object> o = new HashMap<>();
    o.put("credentialsJson", stub.serviceAccountKey());
    o.put("endpoint", stub.url());
    o.put("location", "EU");
    o.put("query", QUERY);
    o.put("cursorColumn", "updated_at");
    o.put("cursorParameter", "last_updated");
    o.put("keyColumns", List.of("id"));
    o.put("pageSize", 10);
    return o;
  }

  private Connector connector(Map<String, Object> options) {
    return Harness.create(options, clock, sleeper, Map.of());
  }

  private CollectingEmitter read(Connector c, Checkpoint from) throws Exception {
    CollectingEmitter out = new CollectingEmitter();
    c.read(ctx, from, out);
    return out;
  }

  @Test
  void theConnectionCheckDryRunsTheQueryAndNamesARefusalOrAnUnreachableEndpoint() throws Exception {
    var ok = ((dev.sluice.spi.ConnectionCheck) connector(options())).checkConnection(java.time.Duration.ofSeconds(10));
    assertThat(ok.status()).as(ok.message()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.OK);
    assertThat(stub.apiRequests()).singleElement().satisfies(r -> {
      assertThat(r.json().path("dryRun").asBoolean()).isTrue();
      assertThat(r.json().path("query").asText()).isEqualTo(QUERY);
    });

    stub.script(BigQueryFake.error(403, "accessDenied", "PERMISSION_DENIED",
        "Access Denied: Table shop.orders: User does not have permission to query table shop.orders."));
    var denied = ((dev.sluice.spi.ConnectionCheck) connector(options())).checkConnection(java.time.Duration.ofSeconds(10));
    assertThat(denied.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
    assertThat(denied.message()).contains("403").contains("Access Denied").doesNotContain("-----BEGIN");

    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Map<String, Object> o = options();
    o.put("endpoint", "http://127.0.0.1:" + closed);
    o.put("maxRetries", 0);
    var down = ((dev.sluice.spi.ConnectionCheck) connector(o)).checkConnection(java.time.Duration.ofSeconds(10));
    assertThat(down.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
    assertThat(down.message()).contains("127.0.0.1:" + closed);
  }

  @Test
  void pollsWhileTheJobIsIncompleteThenPagesWithPageToken() throws Exception {
    bq.pendingPolls = 3;
    CollectingEmitter out = read(connector(options()), null);

    assertThat(out.records()).hasSize(25);
    assertThat(out.records()).extracting(Record::key).startsWith("1", "2", "3");
    List<GoogleStub.Received> calls = stub.apiRequests();
    assertThat(calls).extracting(GoogleStub.Received::method)
        // dry run; jobs.query (jobComplete false); getQueryResults: false, false, then the first page; 2 more pages
        .containsExactly("POST", "POST", "GET", "GET", "GET", "GET", "GET");
    assertThat(calls.get(0).json().path("dryRun").asBoolean()).isTrue();
    assertThat(calls.get(1).path()).isEqualTo("/bigquery/v2/projects/example-project/queries");
    JsonNode body = calls.get(1).json();
    assertThat(body.path("useLegacySql").asBoolean(true)).isFalse();
    assertThat(body.path("location").asText()).isEqualTo("EU");
    assertThat(body.path("maxResults").asInt()).isEqualTo(10);
    assertThat(body.path("timeoutMs").asLong()).isEqualTo(10_000);
    assertThat(body.path("requestId").asText()).isNotEmpty();
    assertThat(body.path("formatOptions").path("useInt64Timestamp").asBoolean()).isTrue();
    for (GoogleStub.Received get : calls.subList(2, 7)) {
      assertThat(get.path()).isEqualTo("/bigquery/v2/projects/example-project/queries/job_1");
      assertThat(BigQueryFake.queryOf(get)).containsEntry("location", "EU").containsEntry("maxResults", "10")
          .containsEntry("timeoutMs", "10000");
    }
    assertThat(BigQueryFake.queryOf(calls.get(2))).doesNotContainKey("pageToken");
    assertThat(BigQueryFake.queryOf(calls.get(3))).doesNotContainKey("pageToken");
    assertThat(BigQueryFake.queryOf(calls.get(4))).doesNotContainKey("pageToken");
    assertThat(BigQueryFake.queryOf(calls.get(5))).containsEntry("pageToken", "tok-10");
    assertThat(BigQueryFake.queryOf(calls.get(6))).containsEntry("pageToken", "tok-20");
    assertThat(ctx.log).anyMatch(l -> l.contains("job_1 still running"));
    assertThat(sleeper.waits).as("getQueryResults waits on the server (timeoutMs), not here").isEmpty();
  }

  @Test
  void theDryRunReportsBytesFirstAndTheCostGuardStopsBeforeAnythingRuns() throws Exception {
    Map<String, Object> o = options();
    o.put("maximumBytesBilled", 10_000_000L);
    assertThatThrownBy(() -> read(connector(o), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("would process 50.0 MiB").hasMessageContaining("maximumBytesBilled")
        .hasMessageContaining("nothing was run");
    assertThat(stub.apiRequests()).hasSize(1);
    assertThat(ctx.log.get(ctx.log.size() - 1)).startsWith("DRY-RUN").contains("would process 50.0 MiB");

    o.put("maximumBytesBilled", 100_000_000L);
    read(connector(o), null);
    JsonNode query = bq.queryBodies.get(bq.queryBodies.size() - 1);
    assertThat(query.path("maximumBytesBilled").asText()).as("int64 as a JSON string").isEqualTo("100000000");
  }

  @Test
  void incrementalReadsPassTheCheckpointAsANamedParameterAndReturnOnlyChanges() throws Exception {
    Connector c = connector(options());
    CollectingEmitter first = read(c, null);
    JsonNode p = bq.queryBodies.get(bq.queryBodies.size() - 1).path("queryParameters").get(0);
    assertThat(p.path("name").asText()).isEqualTo("last_updated");
    assertThat(p.path("parameterType").path("type").asText()).isEqualTo("TIMESTAMP");
    assertThat(p.path("parameterValue").path("value").asText()).isEqualTo("1970-01-01 00:00:00+00:00");
    assertThat(bq.queryBodies.get(bq.queryBodies.size() - 1).path("query").asText())
        .as("the SQL is sent unchanged").isEqualTo(QUERY);
    assertThat(bq.queryBodies.get(bq.queryBodies.size() - 1).path("parameterMode").asText()).isEqualTo("NAMED");
    Checkpoint last = first.checkpoints().get(first.checkpoints().size() - 1).checkpoint();
    assertThat(last.state().path("cursor").asText()).isEqualTo("2024-01-01 00:00:12.000000+00:00");

    // Later: row 3 changes, rows 26 and 27 arrive, microseconds matter.
    bq.rows.removeIf(r -> r.id() == 3);
    bq.add(3, "order-3-changed", "3.30", T0 + 20_000_001L);
    bq.add(26, "order-26", "26.00", T0 + 20_000_001L);
    bq.add(27, "order-27", "27.00", T0 + 21_000_000L);
    CollectingEmitter second = read(c, last);
    assertThat(second.records()).extracting(Record::key).containsExactly("3", "26", "27");
    assertThat(second.records().get(0).data().get("name").asText()).isEqualTo("order-3-changed");
    Checkpoint next = second.checkpoints().get(second.checkpoints().size() - 1).checkpoint();
    assertThat(next.state().path("cursor").asText()).isEqualTo("2024-01-01 00:00:21.000000+00:00");

    CollectingEmitter third = read(c, next);
    assertThat(third.records()).as("nothing changed since").isEmpty();
    assertThat(third.checkpoints()).singleElement().satisfies(cp -> assertThat(cp.checkpoint()).isEqualTo(next));

    Checkpoint future = Checkpoint.of(GoogleStub.MAPPER.createObjectNode().put("cursor", "2999-01-01 00:00:00+00:00")
        .put("cursorType", "TIMESTAMP"));
    assertThat(read(c, future).records()).isEmpty();
  }

  @Test
  void orderedByCursorCheckpointsInsideTheReadNeverBetweenTies() throws Exception {
    Map<String, Object> o = options();
    o.put("orderedByCursor", true);
    CollectingEmitter out = read(connector(o), null);
    assertThat(out.checkpoints()).hasSizeGreaterThan(10);
    List<Record> records = out.records();
    for (CollectingEmitter.Checkpointed cp : out.checkpoints()) {
      int before = cp.recordsBefore();
      if (before > 0 && before < records.size()) {
        assertThat(records.get(before - 1).data().get("updated_at").asText())
            .as("a checkpoint never splits rows with the same cursor value")
            .isNotEqualTo(records.get(before).data().get("updated_at").asText());
      }
    }

    bq.rows.add(new BigQueryFake.Row(List.of("99", "late", "1.00", String.valueOf(T0)), T0 + 99_000_000L, 99));
    assertThatThrownBy(() -> read(connector(o), null)).isInstanceOf(GoogleApiException.class)
        .hasMessageContaining("ORDER BY updated_at");
  }

  @Test
  void mapsEveryTypeExactlyIncludingNulls() throws Exception {
    ArrayNode f = GoogleStub.MAPPER.createArrayNode();
    f.addObject().put("name", "i").put("type", "INTEGER");
    f.addObject().put("name", "n").put("type", "NUMERIC");
    f.addObject().put("name", "bn").put("type", "BIGNUMERIC");
    f.addObject().put("name", "f").put("type", "FLOAT");
    f.addObject().put("name", "nan").put("type", "FLOAT");
    f.addObject().put("name", "inf").put("type", "FLOAT");
    f.addObject().put("name", "ninf").put("type", "FLOAT");
    f.addObject().put("name", "b").put("type", "BOOLEAN");
    f.addObject().put("name", "s").put("type", "STRING");
    f.addObject().put("name", "by").put("type", "BYTES");
    f.addObject().put("name", "d").put("type", "DATE");
    f.addObject().put("name", "dt").put("type", "DATETIME");
    f.addObject().put("name", "t").put("type", "TIME");
    f.addObject().put("name", "ts").put("type", "TIMESTAMP");
    f.addObject().put("name", "tsf").put("type", "TIMESTAMP");
    f.addObject().put("name", "j").put("type", "JSON");
    ObjectNode rec = f.addObject().put("name", "r").put("type", "RECORD");
    rec.putArray("fields").addObject().put("name", "x").put("type", "STRING");
    ((ArrayNode) rec.get("fields")).addObject().put("name", "y").put("type", "INTEGER");
    f.addObject().put("name", "arr").put("type", "INTEGER").put("mode", "REPEATED");
    ObjectNode recs = f.addObject().put("name", "recs").put("type", "RECORD").put("mode", "REPEATED");
    recs.putArray("fields").addObject().put("name", "k").put("type", "STRING");
    f.addObject().put("name", "g").put("type", "GEOGRAPHY");
    bq.fields = f;
    bq.rows.clear();

    JsonNode record = BigQueryFake.toRest(List.of("x", "7"));
    ArrayNode repeated = GoogleStub.MAPPER.createArrayNode();
    repeated.addObject().put("v", "1");
    repeated.addObject().put("v", "9007199254740993");
    ArrayNode repeatedRecords = GoogleStub.MAPPER.createArrayNode();
    repeatedRecords.addObject().set("v", BigQueryFake.toRest(List.of("a")));
    repeatedRecords.addObject().set("v", BigQueryFake.toRest(List.of("b")));
    List<Object> full = List.of("9007199254740993", "12345678901234567890123456789.123456789",
        "-578960446186580977117854925043439539266.34992332820282019728792003956564819967", "1.5", "NaN",
        "Infinity", "-Infinity", "true", "héllo", "3q2+7w==", "2024-01-02", "2024-01-02T03:04:05.123456",
        "03:04:05.123456", "1704164645123456", "1.704164645123456E9", "{\"a\":[1,2],\"b\":null}", record,
        repeated, repeatedRecords, "POINT(13.4 52.5)");
    List<Object> nulls = new ArrayList<>(Arrays.asList(new Object[full.size()]));
    nulls.set(17, GoogleStub.MAPPER.createArrayNode()); // an empty REPEATED is [], never null
    nulls.set(18, GoogleStub.MAPPER.createArrayNode());
    bq.rows.add(new BigQueryFake.Row(full, T0 + 1, 1));
    bq.rows.add(new BigQueryFake.Row(nulls, T0 + 2, 2));

    Map<String, Object> o = options();
    o.remove("cursorColumn");
    o.remove("cursorParameter");
    o.remove("keyColumns");
    o.put("query", "SELECT * FROM types");
    CollectingEmitter out = read(connector(o), null);
    assertThat(out.rejected()).isEmpty();
    ObjectNode a = out.records().get(0).data();
    assertThat(a.get("i").bigIntegerValue()).isEqualTo(new BigInteger("9007199254740993"));
    assertThat(a.get("i").isIntegralNumber()).isTrue();
    assertThat(a.get("n").decimalValue()).isEqualTo(new BigDecimal("12345678901234567890123456789.123456789"));
    assertThat(a.get("bn").decimalValue()).isEqualTo(new BigDecimal(
        "-578960446186580977117854925043439539266.34992332820282019728792003956564819967"));
    assertThat(a.get("f").doubleValue()).isEqualTo(1.5);
    assertThat(a.get("nan").asText()).isEqualTo("NaN");
    assertThat(a.get("inf").asText()).isEqualTo("Infinity");
    assertThat(a.get("ninf").asText()).isEqualTo("-Infinity");
    assertThat(a.get("b").isBoolean()).isTrue();
    assertThat(a.get("b").booleanValue()).isTrue();
    assertThat(a.get("s").asText()).isEqualTo("héllo");
    assertThat(a.get("by").asText()).isEqualTo("3q2+7w==");
    assertThat(a.get("d").asText()).isEqualTo("2024-01-02");
    assertThat(a.get("dt").asText()).isEqualTo("2024-01-02T03:04:05.123456");
    assertThat(a.get("t").asText()).isEqualTo("03:04:05.123456");
    assertThat(a.get("ts").asText()).isEqualTo("2024-01-02T03:04:05.123456Z");
    assertThat(a.get("tsf").asText()).as("float seconds, the REST default").isEqualTo("2024-01-02T03:04:05.123456Z");
    assertThat(a.get("j").path("a").get(1).asInt()).isEqualTo(2);
    assertThat(a.get("j").has("b")).isTrue();
    assertThat(a.get("r").get("x").asText()).isEqualTo("x");
    assertThat(a.get("r").get("y").asLong()).isEqualTo(7);
    assertThat(a.get("arr").get(1).bigIntegerValue()).isEqualTo(new BigInteger("9007199254740993"));
    assertThat(a.get("recs").findValuesAsText("k")).containsExactly("a", "b");
    assertThat(a.get("g").asText()).isEqualTo("POINT(13.4 52.5)");
    // The serialized record keeps the digits: nothing went through a double.
    assertThat(a.toString()).contains("9007199254740993").contains("12345678901234567890123456789.123456789");

    ObjectNode n = out.records().get(1).data();
    for (String name : List.of("i", "n", "bn", "f", "b", "s", "by", "d", "dt", "t", "ts", "j", "r", "g")) {
      assertThat(n.get(name).isNull()).as(name).isTrue();
    }
    assertThat(n.get("arr").isArray()).isTrue();
    assertThat(n.get("arr")).isEmpty();
    assertThat(out.records().get(0).key()).as("no keyColumns: a hash of the row").startsWith("sha256:");
    assertThat(read(connector(o), null).records().get(0).key()).isEqualTo(out.records().get(0).key());
  }

  @Test
  void aValueThatDoesNotFitItsTypeIsRejectedNotSkipped() throws Exception {
    bq.rows.add(new BigQueryFake.Row(List.of("12x", "bad", "1.0", String.valueOf(T0 + 50_000_000L)), T0 + 50_000_000L, 100));
    CollectingEmitter out = read(connector(options()), null);
    assertThat(out.records()).hasSize(25);
    assertThat(out.rejected()).singleElement().satisfies(r -> {
      assertThat(r.reason()).contains("column id", "INTEGER", "12x");
      assertThat(r.location()).contains("job_1 row 25");
    });
  }

  @Test
  void invalidQueryFailsAtOnceWithBigQuerysMessage() {
    stub.script(BigQueryFake.error(400, "invalidQuery", "INVALID_ARGUMENT",
        "Syntax error: Unexpected identifier \"SELEC\" at [1:1]"));
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.reason()).isEqualTo("invalidQuery");
        })
        .hasMessageContaining("400 INVALID_ARGUMENT (invalidQuery)")
        .hasMessageContaining("Unexpected identifier \"SELEC\" at [1:1]")
        .hasMessageContaining("Fix the SQL");
    assertThat(stub.apiRequests()).hasSize(1);
  }

  @Test
  void accessDeniedAndNotFoundAreSpelledOut() {
    stub.script(BigQueryFake.error(403, "accessDenied", "PERMISSION_DENIED",
        "Access Denied: Table shop.orders: User does not have permission to query table shop.orders."));
    assertThatThrownBy(() -> read(connector(options()), null))
        .hasMessageContaining("Access Denied").hasMessageContaining(GoogleStub.CLIENT_EMAIL)
        .hasMessageContaining("roles/bigquery.dataViewer");
    stub.script(BigQueryFake.error(404, "notFound", "NOT_FOUND", "Not found: Dataset example-project:shop was not found in location EU"));
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("was not found in location EU").hasMessageContaining("option 'location'");
  }

  @Test
  void rateLimitsAndBackendErrorsAreRetriedHonouringRetryAfter() throws Exception {
    // rateLimitExceeded comes as 403, so the reason decides, not the status.
    stub.script(
        BigQueryFake.error(403, "rateLimitExceeded", "PERMISSION_DENIED", "Exceeded rate limits: too many api requests per user per method"),
        BigQueryFake.error(503, "backendError", "UNAVAILABLE", "Error encountered during execution. Retrying may solve the problem."),
        new GoogleStub.Answer(429, Map.of("Retry-After", "30"), "{\"error\":{\"code\":429,\"message\":\"Too many requests\",\"status\":\"RESOURCE_EXHAUSTED\"}}"));
    CollectingEmitter out = read(connector(options()), null);
    assertThat(out.records()).hasSize(25);
    assertThat(sleeper.waits).hasSize(3);
    assertThat(sleeper.waits.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(sleeper.waits.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(sleeper.waits.get(2)).isEqualTo(Duration.ofSeconds(30));
    assertThat(ctx.log).anyMatch(l -> l.contains("403 PERMISSION_DENIED (rateLimitExceeded), retry 1/6"));
  }

  @Test
  void aRetriedQueryReusesItsRequestIdSoNoSecondJobStarts() throws Exception {
    stub.script(BigQueryFake.error(403, "accessDenied", "x", "x")); // fails the dry run
    assertThatThrownBy(() -> read(connector(options()), null)).isInstanceOf(GoogleApiException.class);
    Map<String, Object> o = options();
    o.put("dryRunFirst", false);
    stub.script(BigQueryFake.error(500, "backendError", "INTERNAL", "internal"));
    read(connector(o), null);
    List<JsonNode> posts = bq.queryBodies;
    assertThat(posts).hasSize(1); // the 500 came from the script, before the fake saw the body
    List<GoogleStub.Received> calls = stub.apiRequests();
    assertThat(calls).extracting(GoogleStub.Received::method).containsExactly("POST", "POST", "POST", "GET", "GET");
    String firstId = calls.get(1).json().path("requestId").asText();
    String retryId = calls.get(2).json().path("requestId").asText();
    assertThat(retryId).isEqualTo(firstId).isNotEmpty();
  }

  @Test
  void quotaExceededEndsTheRunRetryableWithoutHammering() {
    stub.script(BigQueryFake.error(403, "quotaExceeded", "PERMISSION_DENIED",
        "Quota exceeded: Your project exceeded quota for free query bytes scanned."));
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("Quota exceeded");
    assertThat(stub.apiRequests()).hasSize(1);
  }

  @Test
  void optionsAreCheckedWithClearMessages() {
    Map<String, Object> o = options();
    o.put("query", "SELECT * FROM shop.orders WHERE updated_at > '2024-01-01'");
    assertThatThrownBy(() -> connector(o)).isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("@last_updated").hasMessageContaining("named query parameter");

    Map<String, Object> o2 = options();
    o2.put("cursorColumn", "modified");
    o2.put("query", "SELECT * FROM t WHERE modified > @last_updated");
    assertThatThrownBy(() -> read(connector(o2), null)).hasMessageContaining("cursorColumn")
        .hasMessageContaining("[id, name, amount, updated_at]");

    Map<String, Object> o3 = options();
    o3.put("endpoint", "http://bigquery.example.com");
    assertThatThrownBy(() -> connector(o3)).hasMessageContaining("endpoint").hasMessageContaining("https");

    Map<String, Object> o4 = options();
    o4.put("cursorType", "BLOB");
    assertThatThrownBy(() -> connector(o4)).hasMessageContaining("option 'cursorType'");

    Checkpoint wrongType = Checkpoint.of(GoogleStub.MAPPER.createObjectNode().put("cursor", "5").put("cursorType", "INT64"));
    assertThatThrownBy(() -> read(connector(options()), wrongType)).hasMessageContaining("reset the pipeline's checkpoint");
  }

  @Test
  void theProjectComesFromTheKeyUnlessGiven() throws Exception {
    read(connector(options()), null);
    assertThat(stub.apiRequests().get(0).path()).contains("/projects/example-project/");
    Map<String, Object> o = options();
    o.put("projectId", "other-project");
    bq.project = "other-project";
    read(connector(o), null);
    assertThat(stub.apiRequests().get(stub.apiRequests().size() - 1).path()).contains("/projects/other-project/");
  }

  @Test
  void secretsNeverReachTheRequestLogMessagesOrToString() throws Exception {
    Connector c = connector(options());
    read(c, null);
    stub.scriptToken(GoogleStub.Answer.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}"));
    Throwable failure = null;
    try {
      read(connector(options()), null);
    } catch (GoogleApiException e) {
      failure = e;
    }
    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).contains("invalid_grant");
    String everything = String.join("\n", ctx.log) + failure.getMessage() + c;
    assertThat(everything).doesNotContain("ya29.").doesNotContain(GoogleStub.privateKeyBase64().substring(0, 40))
        .doesNotContain("-----BEGIN");
  }

  @Test
  void aCancelledRunStopsWithinThePage() throws Exception {
    CollectingEmitter out = new CollectingEmitter();
    dev.sluice.spi.Emitter cancelling = new dev.sluice.spi.Emitter() {
      @Override
      public void emit(Record record) throws InterruptedException {
        out.emit(record);
        if (out.records().size() == 4) {
          ctx.cancel();
        }
      }

      @Override
      public void checkpoint(Checkpoint checkpoint) throws InterruptedException {
        out.checkpoint(checkpoint);
      }

      @Override
      public void reject(String raw, String location, String reason) {
        out.reject(raw, location, reason);
      }
    };
    connector(options()).read(ctx, null, cancelling);
    assertThat(out.records()).hasSize(4);
    assertThat(out.checkpoints()).as("a cancelled read claims nothing it did not read").isEmpty();
    assertThat(stub.apiRequests()).extracting(GoogleStub.Received::method).containsExactly("POST", "POST");
  }

  @Test
  void aJobThatNeverCompletesIsGivenUpAfterMaxJobWait() {
    bq.pendingPolls = 1_000;
    Map<String, Object> o = options();
    o.put("maxJobWait", "30s");
    assertThatThrownBy(() -> read(connector(o), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("did not finish within maxJobWait 30s");
    // dry run, jobs.query, then 3 polls of 10 s (timeoutMs) each
    assertThat(stub.apiRequests()).hasSize(5);
  }
}
