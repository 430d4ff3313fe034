package dev.sluice.connectors.ga4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Ga4ConnectorTest {
  private static final List<String> CHANNELS = List.of("Direct", "Organic Search", "Paid Search");

  private GoogleStub stub;
  private Ga4Fake ga4;
  private MutableClock clock;
  private RecordingSleeper sleeper;
  private Ctx ctx;

  @BeforeEach
  void start() throws Exception {
    stub = new GoogleStub();
    ga4 = new Ga4Fake();
    stub.onApi(ga4::handle);
    clock = new MutableClock(Instant.parse("2024-01-10T10:20:00Z"));
    sleeper = new RecordingSleeper(clock);
    ctx = new Ctx(clock);
    for (int day = 1; day <= 10; day++) {
      addDay(LocalDate.of(2024, 1, day), 0);
    }
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private void addDay(LocalDate date, int bump) {
    for (int c = 0; c < CHANNELS.size(); c++) {
      ga4.rows.add(new Ga4Fake.Row(date, CHANNELS.get(c), date.getDayOfMonth() * 10L + c + bump,
          c == 2 ? "1234567890123.45" : "12.50", "123.456789"));
    }
  }

  private Map<String, Object> options() {
    Map<String, Object> o = new HashMap<>();
    o.put("property", "properties/123456789");
    o.put("credentialsJson", stub.serviceAccountKey());
    o.put("endpoint", stub.url());
    o.put("dimensions", List.of("sessionDefaultChannelGroup"));
    o.put("metrics", List.of("sessions", "purchaseRevenue", "averageSessionDuration"));
    o.put("startDate", "2024-01-01");
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
  void pagesWithOffsetAndLimitUntilRowCountAndTypesValuesFromTheMetricHeaders() throws Exception {
    CollectingEmitter out = read(connector(options()), null);

    assertThat(out.records()).hasSize(30);
    List<GoogleStub.Received> calls = stub.apiRequests();
    assertThat(calls).hasSize(3);
    assertThat(calls).extracting(r -> r.json().path("offset").asLong()).containsExactly(0L, 10L, 20L);
    assertThat(calls).allSatisfy(r -> {
      JsonNode body = r.json();
      assertThat(r.path()).isEqualTo("/v1beta/properties/123456789:runReport");
      assertThat(body.path("limit").asLong()).isEqualTo(10);
      assertThat(body.path("returnPropertyQuota").asBoolean()).isTrue();
      assertThat(body.path("dimensions").findValuesAsText("name")).containsExactly("date", "sessionDefaultChannelGroup");
      assertThat(body.path("dateRanges").get(0).path("startDate").asText()).isEqualTo("2024-01-01");
      assertThat(body.path("dateRanges").get(0).path("endDate").asText()).isEqualTo("2024-01-10");
      assertThat(body.path("orderBys").get(0).path("dimension").path("dimensionName").asText()).isEqualTo("date");
      assertThat(r.headers().get("authorization")).isEqualTo("Bearer ya29.stub-access-1");
    });
    assertThat(stub.tokensIssued()).as("one token, cached across pages").isEqualTo(1);

    Record first = out.records().get(0);
    assertThat(first.key()).isEqualTo("properties/123456789|2024-01-01|Direct");
    assertThat(first.data().get("date").asText()).isEqualTo("2024-01-01");
    assertThat(first.data().get("sessions").isIntegralNumber()).isTrue();
    assertThat(first.data().get("sessions").asLong()).isEqualTo(10);
    assertThat(first.data().get("averageSessionDuration").isDouble()).isTrue();
    Record paid = out.records().get(2);
    assertThat(paid.key()).isEqualTo("properties/123456789|2024-01-01|Paid+Search");
    assertThat(paid.data().get("purchaseRevenue").decimalValue()).isEqualByComparingTo(new BigDecimal("1234567890123.45"));
    assertThat(first.attributes()).containsEntry("ga4.property", "123456789").containsEntry("ga4.currencyCode", "USD")
        .containsEntry("ga4.subjectToThresholding", "false").containsEntry("ga4.sampled", "false");
    assertThat(ctx.log).anyMatch(l -> l.contains("rows 21-30 of 30") && l.contains("tokens left: hour"));
  }

  @Test
  void theConnectionCheckRunsAOneRowReportAndNamesARefusalOrAnUnreachableEndpoint() throws Exception {
    var ok = ((dev.sluice.spi.ConnectionCheck) connector(options())).checkConnection(java.time.Duration.ofSeconds(10));
    assertThat(ok.status()).as(ok.message()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.OK);
    assertThat(stub.apiRequests()).singleElement().satisfies(r -> {
      assertThat(r.path()).isEqualTo("/v1beta/properties/123456789:runReport");
      assertThat(r.json().path("limit").asLong()).isEqualTo(1);
    });

    stub.script(Ga4Fake.error(403, "PERMISSION_DENIED", "User does not have sufficient permissions for this property."));
    var denied = ((dev.sluice.spi.ConnectionCheck) connector(options())).checkConnection(java.time.Duration.ofSeconds(10));
    assertThat(denied.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
    assertThat(denied.message()).contains("403").contains("Viewer role").doesNotContain("-----BEGIN");

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
  void theServiceAccountAssertionIsSignedRs256ForTheKeysTokenUri() throws Exception {
    read(connector(options()), null);
    // The stub verified signature, aud (= the key's token_uri), iss and exp before issuing a token.
    assertThat(stub.tokensIssued()).isEqualTo(1);
    Map<String, String> form = GoogleStub.form(stub.tokenRequests().get(0).body());
    assertThat(form.get("grant_type")).isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
    String claims = new String(java.util.Base64.getUrlDecoder().decode(form.get("assertion").split("\\.")[1]));
    assertThat(claims).contains("\"scope\":\"https://www.googleapis.com/auth/analytics.readonly\"")
        .contains("\"aud\":\"" + stub.tokenUri() + "\"");
  }

  @Test
  void incrementalRereadsTheLookbackWindowAndOnlyNewerDays() throws Exception {
    Connector c = connector(options());
    CollectingEmitter first = read(c, null);
    Checkpoint last = first.checkpoints().get(first.checkpoints().size() - 1).checkpoint();
    assertThat(last.state().path("through").asText()).isEqualTo("2024-01-10");

    // Two days later: day 9 was revised (GA4 data settles for days), days 11 and 12 are new.
    ga4.rows.removeIf(r -> r.date().getDayOfMonth() == 9);
    addDay(LocalDate.of(2024, 1, 9), 1000);
    addDay(LocalDate.of(2024, 1, 11), 0);
    addDay(LocalDate.of(2024, 1, 12), 0);
    clock.set(Instant.parse("2024-01-12T08:00:00Z"));
    CollectingEmitter second = read(c, last);

    JsonNode range = stub.apiRequests().get(stub.apiRequests().size() - 1).json().path("dateRanges").get(0);
    assertThat(range.path("startDate").asText()).as("3 days of lookback before the day after 01-10").isEqualTo("2024-01-08");
    assertThat(range.path("endDate").asText()).isEqualTo("2024-01-12");
    assertThat(second.records()).extracting(r -> r.data().get("date").asText())
        .containsOnly("2024-01-08", "2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12").hasSize(15);
    Record revised = second.records().stream().filter(r -> r.key().equals("properties/123456789|2024-01-09|Direct"))
        .findFirst().orElseThrow();
    assertThat(revised.data().get("sessions").asLong()).as("the re-read day replaces the earlier row by key").isEqualTo(1090);
    assertThat(first.records()).anyMatch(r -> r.key().equals(revised.key()));
    assertThat(second.checkpoints().get(second.checkpoints().size() - 1).checkpoint().state().path("through").asText())
        .isEqualTo("2024-01-12");
    // Checkpoints inside the lookback window never move back before what was already read.
    assertThat(second.checkpoints()).allSatisfy(cp ->
        assertThat(cp.checkpoint().state().path("through").asText()).isGreaterThanOrEqualTo("2024-01-10"));
  }

  @Test
  void aCheckpointFromTheFutureReadsNothingAndSendsNoRequest() throws Exception {
    Checkpoint future = Checkpoint.of(GoogleStub.MAPPER.createObjectNode().put("property", "123456789").put("through", "2999-01-01"));
    CollectingEmitter out = read(connector(options()), future);
    assertThat(out.records()).isEmpty();
    assertThat(stub.apiRequests()).isEmpty();
  }

  @Test
  void aCheckpointOfAnotherPropertyIsRefused() {
    Checkpoint other = Checkpoint.of(GoogleStub.MAPPER.createObjectNode().put("property", "999").put("through", "2024-01-05"));
    assertThatThrownBy(() -> read(connector(options()), other))
        .isInstanceOf(GoogleApiException.class).hasMessageContaining("property 999").hasMessageContaining("reset");
  }

  @Test
  void theQuotaAReadConsumedIsNotedInTheRunReport() throws Exception {
    read(connector(options()), null);
    int requests = stub.apiRequests().size();
    assertThat(requests).isPositive();
    // Each runReport answer of the stub reports 10 tokens consumed (propertyQuota, as asked).
    assertThat(ctx.notes).singleElement().asString()
        .contains("GA4 property 123456789: 30 rows")
        .contains("quota tokens used " + (10L * requests))
        .containsPattern("tokens left: hour \\d+, day \\d+");
  }

  @Test
  void hourlyQuotaExhaustionWaitsForTheNextHourInsteadOfHammering() throws Exception {
    // 429 RESOURCE_EXHAUSTED as the Data API answers when a property's hourly tokens are spent.
    stub.script(Ga4Fake.error(429, "RESOURCE_EXHAUSTED",
        "Exhausted property tokens per hour. Please wait an hour before making more requests to this property."));
    CollectingEmitter out = read(connector(options()), null);

    assertThat(out.records()).hasSize(30);
    assertThat(sleeper.waits).hasSize(1);
    assertThat(sleeper.waits.get(0)).as("10:20 → the next hour").isEqualTo(Duration.ofMinutes(40).plusSeconds(5));
    assertThat(ctx.log).anyMatch(l -> l.contains("429 RESOURCE_EXHAUSTED, retry 1/5 in 40m5s"));
  }

  @Test
  void concurrentRequestQuotaBacksOffHonouringRetryAfter() throws Exception {
    stub.script(new GoogleStub.Answer(429, Map.of("Retry-After", "7"), "{\"error\":{\"code\":429,\"message\":"
        + "\"Exhausted concurrent requests quota.\",\"status\":\"RESOURCE_EXHAUSTED\"}}"));
    read(connector(options()), null);
    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(7));
  }

  @Test
  void dailyQuotaExhaustionEndsTheRunAtOnceAsRetryable() {
    stub.script(Ga4Fake.error(429, "RESOURCE_EXHAUSTED", "Exhausted property tokens per day."));
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("Exhausted property tokens per day").hasMessageContaining("resumes from the last checkpoint");
    assertThat(stub.apiRequests()).hasSize(1);
    assertThat(sleeper.waits).isEmpty();
  }

  @Test
  void slowsDownBeforeHourlyTokensRunOut() throws Exception {
    ga4.hourRemaining = 1_005; // 995 left after the first page: under minHourlyTokens (1000)
    CollectingEmitter out = read(connector(options()), null);
    assertThat(out.records()).hasSize(30);
    assertThat(sleeper.waits).as("a pause before the 2nd page, then quota is still low before the 3rd")
        .hasSize(2).first().isEqualTo(Duration.ofMinutes(40).plusSeconds(5));
    assertThat(ctx.log).anyMatch(l -> l.startsWith("WAIT") && l.contains("hourly quota tokens left"));
  }

  @Test
  void stopsBeforeDailyTokensRunOutKeepingWhatWasCheckpointed() {
    ga4.dayRemaining = 1_005;
    CollectingEmitter out = new CollectingEmitter();
    assertThatThrownBy(() -> connector(options()).read(ctx, null, out))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("daily quota tokens left");
    assertThat(out.records()).hasSize(10);
    assertThat(out.checkpoints()).isNotEmpty();
    assertThat(out.checkpoints().get(out.checkpoints().size() - 1).checkpoint().state().path("through").asText())
        .isEqualTo("2024-01-03"); // days 1-3 complete (rows 1-9); day 4 was cut by the page end
  }

  @Test
  void invalidNamesFailAtOnceWithGooglesMessageAndWhatToFix() {
    Map<String, Object> o = options();
    o.put("metrics", List.of("sesions"));
    assertThatThrownBy(() -> read(connector(o), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("400 INVALID_ARGUMENT")
        .hasMessageContaining("Field sesions is not a valid metric")
        .hasMessageContaining("api-schema");
    assertThat(stub.apiRequests()).hasSize(1);
  }

  @Test
  void permissionDeniedNamesTheServiceAccountAndTheProperty() {
    stub.script(Ga4Fake.error(403, "PERMISSION_DENIED", "User does not have sufficient permissions for this property."));
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("User does not have sufficient permissions")
        .hasMessageContaining(GoogleStub.CLIENT_EMAIL)
        .hasMessageContaining("property 123456789");
  }

  @Test
  void anUnknownPropertyIsNotFound() {
    ga4.property = "42";
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOf(GoogleApiException.class).hasMessageContaining("404 NOT_FOUND").hasMessageContaining("G- measurement id");
  }

  @Test
  void serverErrorsAreRetriedWithBackoffAndGiveUpRetryable() throws Exception {
    stub.script(Ga4Fake.error(503, "UNAVAILABLE", "The service is currently unavailable."),
        Ga4Fake.error(500, "INTERNAL", "Internal error encountered."));
    CollectingEmitter out = read(connector(options()), null);
    assertThat(out.records()).hasSize(30);
    assertThat(sleeper.waits).hasSize(2);
    assertThat(sleeper.waits.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(sleeper.waits.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));

    Map<String, Object> o = options();
    o.put("maxRetries", 2);
    for (int i = 0; i < 3; i++) {
      stub.script(Ga4Fake.error(503, "UNAVAILABLE", "The service is currently unavailable."));
    }
    assertThatThrownBy(() -> read(connector(o), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("Gave up after 2 retries");
  }

  @Test
  void a401RenewsTheTokenOnce() throws Exception {
    stub.script(Ga4Fake.error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."));
    CollectingEmitter out = read(connector(options()), null);
    assertThat(out.records()).hasSize(30);
    assertThat(stub.tokensIssued()).isEqualTo(2);

    stub.script(Ga4Fake.error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
        Ga4Fake.error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."));
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("refused twice");
  }

  @Test
  void aRefusedKeyFailsWithTheTokenEndpointsMessageAndNoSecret() {
    stub.scriptToken(GoogleStub.Answer.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}"));
    assertThatThrownBy(() -> read(connector(options()), null))
        .isInstanceOfSatisfying(GoogleApiException.class, e -> {
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("invalid_grant", "Invalid JWT Signature", GoogleStub.CLIENT_EMAIL)
              .doesNotContain(GoogleStub.privateKeyBase64().substring(0, 40));
        });
    assertThat(stub.apiRequests()).isEmpty();
  }

  @Test
  void refreshTokenCredentialsUseTheRefreshGrant() throws Exception {
    Map<String, Object> o = options();
    o.remove("credentialsJson");
    o.put("clientId", "stub-client.apps.googleusercontent.com");
    o.put("clientSecret", "stub-client-secret");
    o.put("refreshToken", "stub-refresh-token-value");
    o.put("tokenUri", stub.tokenUri());
    assertThat(read(connector(o), null).records()).hasSize(30);
    assertThat(GoogleStub.form(stub.tokenRequests().get(0).body())).containsEntry("grant_type", "refresh_token");

    o.put("refreshToken", "stub-refresh-token-revoked");
    assertThatThrownBy(() -> read(connector(o), null))
        .hasMessageContaining("Token has been expired or revoked").hasMessageContaining("new refresh token")
        .hasMessageNotContaining("stub-refresh-token-revoked").hasMessageNotContaining("stub-client-secret");
  }

  @Test
  void applicationDefaultCredentialsFromTheEnvironmentFileOrTheMetadataServer(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("key.json");
    Files.writeString(key, stub.serviceAccountKey());
    Map<String, Object> o = options();
    o.remove("credentialsJson");
    Connector fromFile = Harness.create(o, clock, sleeper, Map.of("GOOGLE_APPLICATION_CREDENTIALS", key.toString(),
        "HOME", dir.toString()));
    assertThat(read(fromFile, null).records()).hasSize(30);

    Connector metadata = Harness.create(o, clock, sleeper, Map.of("HOME", dir.toString(),
        "GCE_METADATA_HOST", stub.url().substring("http://".length())));
    assertThat(read(metadata, null).records()).hasSize(30);
    GoogleStub.Received last = stub.tokenRequests().get(stub.tokenRequests().size() - 1);
    assertThat(last.path()).isEqualTo("/computeMetadata/v1/instance/service-accounts/default/token");
    assertThat(last.headers()).containsEntry("metadata-flavor", "Google");
  }

  @Test
  void samplingThresholdingAndTheOtherRowTravelAsAttributes() throws Exception {
    ga4.thresholded = true;
    ga4.sampled = true;
    ga4.otherRowLoss = true;
    ga4.rows.add(new Ga4Fake.Row(LocalDate.of(2024, 1, 10), "(other)", 5, "0", "1.5"));
    CollectingEmitter out = read(connector(options()), null);
    Record any = out.records().get(0);
    assertThat(any.attributes()).containsEntry("ga4.subjectToThresholding", "true")
        .containsEntry("ga4.dataLossFromOtherRow", "true").containsEntry("ga4.sampled", "true")
        .containsEntry("ga4.samplesReadCount", "1000").containsEntry("ga4.samplingSpaceSize", "10000");
    Record other = out.records().stream().filter(r -> r.key().endsWith("|%28other%29")).findFirst().orElseThrow();
    assertThat(other.attributes()).containsEntry("ga4.otherRow", "true");
  }

  @Test
  void aRowThatCannotBeTypedIsRejectedNotSkipped() throws Exception {
    ga4.rows.add(new Ga4Fake.Row(LocalDate.of(2024, 1, 10), "Email", 5, "not-a-number", "1.5"));
    CollectingEmitter out = read(connector(options()), null);
    assertThat(out.records()).hasSize(30);
    assertThat(out.rejected()).singleElement().satisfies(r ->
        assertThat(r.reason()).contains("purchaseRevenue", "TYPE_CURRENCY", "not-a-number"));
  }

  @Test
  void badOptionsNameTheOptionAndNeverEchoSecrets() {
    Map<String, Object> o = options();
    o.put("property", "G-ABC123");
    assertThatThrownBy(() -> connector(o)).isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("option 'property'").hasMessageContaining("G- measurement id");

    Map<String, Object> o2 = options();
    o2.put("endpoint", "http://analyticsdata.example.com");
    assertThatThrownBy(() -> connector(o2)).isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("endpoint").hasMessageContaining("https");

    Map<String, Object> o3 = options();
    o3.put("credentialsJson", "{\"type\": \"service_account\", \"private_key\": \"TOPSECRET-KEY-MATERIAL\" oops");
    assertThatThrownBy(() -> connector(o3)).isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("credentialsJson").hasMessageContaining("not valid JSON")
        .hasMessageNotContaining("TOPSECRET");

    Map<String, Object> o4 = options();
    o4.put("credentialsJson", stub.serviceAccountKey().replaceFirst("KEY-----\\\\n", "KEY-----\\\\nXX"));
    assertThatThrownBy(() -> connector(o4)).isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("private_key").hasMessageNotContaining(GoogleStub.privateKeyBase64().substring(10, 50));

    Map<String, Object> o5 = options();
    o5.put("metrics", List.of());
    assertThatThrownBy(() -> connector(o5)).hasMessageContaining("option 'metrics'");
  }

  @Test
  void secretsNeverReachTheRequestLogMessagesOrToString() throws Exception {
    Connector c = connector(options());
    read(c, null);
    stub.script(Ga4Fake.error(403, "PERMISSION_DENIED", "denied"));
    Throwable failure = null;
    try {
      read(c, null);
    } catch (GoogleApiException e) {
      failure = e;
    }
    assertThat(failure).isNotNull();
    String everything = String.join("\n", ctx.log) + failure.getMessage() + c;
    assertThat(everything).doesNotContain("ya29.").doesNotContain(GoogleStub.privateKeyBase64().substring(0, 40))
        .doesNotContain("-----BEGIN");
  }

  @Test
  void aCancelledRunStopsBeforeTheNextRequest() throws Exception {
    CollectingEmitter out = new CollectingEmitter();
    dev.sluice.spi.Emitter cancelling = new dev.sluice.spi.Emitter() {
      @Override
      public void emit(Record record) throws InterruptedException {
        out.emit(record);
        if (out.records().size() == 5) {
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
    assertThat(stub.apiRequests()).as("no page after the cancellation").hasSize(1);
    assertThat(out.records()).as("not even the rest of the page").hasSize(5);
  }

  @Test
  void filtersCurrencyAndEmptyRowsArePassedAsDocumented() throws Exception {
    Map<String, Object> o = options();
    o.put("dimensionFilter", Map.of("filter", Map.of("fieldName", "sessionDefaultChannelGroup",
        "stringFilter", Map.of("value", "Direct", "matchType", "EXACT"))));
    o.put("metricFilter", Map.of("filter", Map.of("fieldName", "sessions",
        "numericFilter", Map.of("operation", "GREATER_THAN", "value", Map.of("int64Value", "5")))));
    o.put("currencyCode", "EUR");
    o.put("keepEmptyRows", true);
    read(connector(o), null);
    JsonNode body = stub.apiRequests().get(0).json();
    assertThat(body.path("dimensionFilter").path("filter").path("stringFilter").path("value").asText()).isEqualTo("Direct");
    assertThat(body.path("metricFilter").path("filter").path("numericFilter").path("operation").asText())
        .isEqualTo("GREATER_THAN");
    assertThat(body.path("currencyCode").asText()).isEqualTo("EUR");
    assertThat(body.path("keepEmptyRows").asBoolean()).isTrue();
  }
}
