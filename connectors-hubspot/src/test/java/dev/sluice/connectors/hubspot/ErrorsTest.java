package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.Connector;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every documented error class (developers.hubspot.com, "Error handling" and "API usage guidelines
 * and limits"): 401, 403 MISSING_SCOPES, 400 VALIDATION_ERROR, unknown properties and objects, 429
 * with each policyName and Retry-After, 5xx, unreachable hosts; and the search endpoint's pacing.
 * Waits go through the test sleeper: nothing sleeps on wall time.
 */
class ErrorsTest {
  static final long T0 = Instant.parse("2024-05-01T08:00:00Z").toEpochMilli();
  static final String TOKEN = "pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

  HubSpotStub stub;
  Harness h;

  @BeforeEach
  void start() throws Exception {
    stub = new HubSpotStub().object("deals", Map.of("dealname", "string", "amount", "number"));
    stub.acceptedTokens.add(TOKEN);
    for (int i = 1; i <= 5; i++) {
      stub.put("deals", i, T0 + i * 1000L, Map.of("dealname", "Deal " + i, "amount", "10"));
    }
    h = new Harness(stub);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  Connector deals(Map<String, Object> extra) {
    Map<String, Object> o = new java.util.LinkedHashMap<>(Map.of("object", "deals", "token", TOKEN, "pageSize", 2,
        "searchRequestsPerSecond", 0));
    o.putAll(extra);
    return h.connector(o);
  }

  private HubSpotException fail(Connector c, Harness.Run[] runOut) {
    Throwable[] failure = new Throwable[1];
    Harness.Run run = h.readFailing(c, null, failure);
    if (runOut != null) {
      runOut[0] = run;
    }
    assertThat(failure[0]).isInstanceOf(HubSpotException.class);
    assertThat(failure[0].getMessage()).doesNotContain(TOKEN);
    assertThat(run.everythingShown()).doesNotContain(TOKEN);
    return (HubSpotException) failure[0];
  }

  @Test
  void aWrongPrivateAppTokenFailsAtOnceWithHubSpotsMessageAndWhatToFix() throws Exception {
    stub.acceptedTokens.clear();
    try (Connector c = deals(Map.of())) {
      HubSpotException e = fail(c, null);
      assertThat(e.status()).isEqualTo(401);
      assertThat(e.category()).isEqualTo("INVALID_AUTHENTICATION");
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("Authentication credentials not found").contains("private app")
          .contains("GET /crm/v3/properties/deals");
      assertThat(stub.seen).hasSize(1);
    }
  }

  @Test
  void aMissingScopeIsNamed() throws Exception {
    stub.missingScopes.add("deals");
    try (Connector c = deals(Map.of())) {
      HubSpotException e = fail(c, null);
      assertThat(e.status()).isEqualTo(403);
      assertThat(e.category()).isEqualTo("MISSING_SCOPES");
      assertThat(e.getMessage()).contains("crm.objects.deals.read").contains("hasn't been granted all required scopes");
    }
  }

  @Test
  void anUnknownPropertyIsNamedWithASuggestion() throws Exception {
    try (Connector c = deals(Map.of("properties", List.of("dealname", "amout")))) {
      HubSpotException e = fail(c, null);
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("property 'amout' does not exist on HubSpot object 'deals'")
          .contains("did you mean 'amount'?").contains("option 'properties'");
      assertThat(stub.searchesSeen()).as("nothing read with a wrong property list").isEmpty();
    }
  }

  @Test
  void anUnknownObjectTypeIsNamed() throws Exception {
    try (Connector c = h.connector(Map.of("object", "dealz", "token", TOKEN))) {
      HubSpotException e = fail(c, null);
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).contains("Unable to infer object type from: dealz").contains("option 'object'");
    }
  }

  @Test
  void aValidationErrorOfTheSearchIsPermanentAndNotRetried() throws Exception {
    stub.fault(HubSpotStub.searches(), 400, Map.of(),
        HubSpotStub.error("Invalid input JSON on line 1, column 15: Cannot build PublicObjectSearchRequest", "VALIDATION_ERROR"));
    try (Connector c = deals(Map.of())) {
      HubSpotException e = fail(c, null);
      assertThat(e.category()).isEqualTo("VALIDATION_ERROR");
      assertThat(e.getMessage()).contains("Invalid input JSON").contains("correlationId");
      assertThat(stub.searchesSeen()).hasSize(1);
      assertThat(h.sleeper.waits).isEmpty();
    }
  }

  @Test
  void a429WithRetryAfterWaitsThatLongThenContinues() throws Exception {
    stub.fault(HubSpotStub.searches(), 429, Map.of("Retry-After", "3"),
        HubSpotStub.rateLimited("You have reached your secondly limit.", "SECONDLY"));
    try (Connector c = deals(Map.of())) {
      Harness.Run run = h.read(c, null);
      assertThat(run.keys()).containsExactly("1", "2", "3", "4", "5");
      assertThat(h.sleeper.waits).containsExactly(Duration.ofSeconds(3));
      assertThat(run.requests).anySatisfy(r -> assertThat(r).contains("429 SECONDLY rate limit, retrying in 3000 ms"));
    }
  }

  @Test
  void theTenSecondlyRollingLimitWaitsForItsWindow() throws Exception {
    stub.fault(HubSpotStub.any(), 429, Map.of(),
        HubSpotStub.rateLimited("You have reached your ten_secondly_rolling limit.", "TEN_SECONDLY_ROLLING"));
    try (Connector c = deals(Map.of())) {
      assertThat(h.read(c, null).keys()).hasSize(5);
      assertThat(h.sleeper.waits).containsExactly(Duration.ofSeconds(10));
    }
  }

  @Test
  void theDailyLimitStopsTheRunAtOnceAsRetryable() throws Exception {
    stub.fault(HubSpotStub.searches(), 429, Map.of(),
        HubSpotStub.rateLimited("You have reached your daily limit.", "DAILY"));
    try (Connector c = deals(Map.of())) {
      HubSpotException e = fail(c, null);
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage()).contains("DAILY").contains("midnight").contains("You have reached your daily limit.");
      assertThat(stub.searchesSeen()).hasSize(1);
      assertThat(h.sleeper.waits).isEmpty();
    }
  }

  @Test
  void rateLimitsThatOutlastTheRetriesFailRetryably() throws Exception {
    for (int i = 0; i < 4; i++) {
      stub.fault(HubSpotStub.searches(), 429, Map.of(),
          HubSpotStub.rateLimited("You have reached your secondly limit.", "SECONDLY"));
    }
    try (Connector c = deals(Map.of("maxRetries", 3))) {
      HubSpotException e = fail(c, null);
      assertThat(e.retryable()).isTrue();
      assertThat(e.status()).isEqualTo(429);
      assertThat(stub.searchesSeen()).hasSize(4);
      // Exponential backoff, at least a second for the per-second limit.
      assertThat(h.sleeper.waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }
  }

  @Test
  void serverErrorsAreRetriedWithBackoff() throws Exception {
    stub.fault(HubSpotStub.searches(), 502, Map.of(), "<html>Bad Gateway</html>");
    stub.fault(HubSpotStub.searches(), 503, Map.of(), HubSpotStub.error("Service unavailable", "SERVICE_UNAVAILABLE"));
    try (Connector c = deals(Map.of())) {
      assertThat(h.read(c, null).keys()).containsExactly("1", "2", "3", "4", "5");
      assertThat(h.sleeper.waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }
  }

  @Test
  void serverErrorsThatOutlastTheRetriesFailRetryablyWithTheBody() throws Exception {
    for (int i = 0; i < 3; i++) {
      stub.fault(HubSpotStub.searches(), 500, Map.of(), HubSpotStub.error("internal error", "INTERNAL_ERROR"));
    }
    try (Connector c = deals(Map.of("maxRetries", 2))) {
      HubSpotException e = fail(c, null);
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage()).contains("500").contains("internal error");
    }
  }

  @Test
  void anUnreachableHostIsRetriedThenNamed() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (Connector c = h.connector(Map.of("object", "deals", "token", TOKEN, "baseUrl", "http://127.0.0.1:" + port,
        "maxRetries", 2))) {
      HubSpotException e = fail(c, null);
      assertThat(e.retryable()).isTrue();
      assertThat(e.status()).isEqualTo(-1);
      assertThat(e.getMessage()).contains("could not be reached after 3 attempts").contains("baseUrl");
      assertThat(h.sleeper.waits).hasSize(2);
    }
  }

  @Test
  void searchRequestsArePacedToTheSearchLimit() throws Exception {
    try (Connector c = deals(Map.of("searchRequestsPerSecond", 4))) {
      Harness.Run run = h.read(c, null);
      assertThat(run.keys()).hasSize(5);
      int searches = stub.searchesSeen().size();
      assertThat(searches).isGreaterThan(2);
      assertThat(h.sleeper.waits).hasSize(searches - 1).containsOnly(Duration.ofMillis(250));
    }
  }

  @Test
  void aBodyThatIsNotJsonFailsNamingTheRequest() throws Exception {
    stub.fault(HubSpotStub.searches(), 200, Map.of(), "<html>proxy login</html>");
    try (Connector c = deals(Map.of())) {
      HubSpotException e = fail(c, null);
      assertThat(e.getMessage()).contains("POST /crm/v3/objects/deals/search").contains("not JSON").contains("proxy login");
    }
  }

  @Test
  void progressIsLoggedAndCounted() throws Exception {
    try (Connector c = deals(Map.of())) {
      Harness.Run run = h.read(c, null);
      assertThat(run.logLines).anySatisfy(l -> assertThat(l).contains("read 5 deals record(s) in"));
      assertThat(h.lastContext.meters.counter("sluice.hubspot.records.read", "object", "deals").count()).isEqualTo(5);
      assertThat(run.requests).allSatisfy(r -> assertThat(r).doesNotContain(TOKEN));
      assertThat(run.requests).anySatisfy(r -> assertThat(r).startsWith("POST http://127.0.0.1:").contains("-> 200"));
    }
  }

  @Test
  void anExhaustedRollingWindowIsWaitedForBeforeTheNextRequest() throws Exception {
    // HubSpot: X-HubSpot-RateLimit-Remaining / X-HubSpot-RateLimit-Interval-Milliseconds on each answer.
    String properties = "{\"results\":[{\"name\":\"hs_lastmodifieddate\",\"type\":\"datetime\"},"
        + "{\"name\":\"hs_object_id\",\"type\":\"number\"},{\"name\":\"dealname\",\"type\":\"string\"}]}";
    stub.fault(s -> s.path().startsWith("/crm/v3/properties/"), 200, Map.of("X-HubSpot-RateLimit-Remaining", "0",
        "X-HubSpot-RateLimit-Interval-Milliseconds", "10000", "X-HubSpot-RateLimit-Max", "190"), properties);
    try (Connector c = deals(Map.of())) {
      assertThat(h.read(c, null).keys()).hasSize(5);
      assertThat(h.sleeper.waits).containsExactly(Duration.ofSeconds(10));
      assertThat(stub.seen.stream().filter(s -> s.path().endsWith("/search")).count()).isGreaterThan(0);
    }
  }
}
