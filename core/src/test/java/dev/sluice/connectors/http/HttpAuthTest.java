package dev.sluice.connectors.http;

import static dev.sluice.connectors.http.Harness.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.auth.Secrets;
import dev.sluice.connectors.http.ApiStub.Answer;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.store.InMemoryStore;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every authentication flavour against stubbed APIs and token endpoints; secrets never shown. */
@Timeout(60)
class HttpAuthTest extends StubbedApiTest {
  private final Harness.MapSecrets secrets = new Harness.MapSecrets();

  private HttpConnector http(String yaml) {
    return http(yaml, secrets);
  }

  private HttpConnector http(String yaml, dev.sluice.spi.PluginSecrets store) {
    return connector("baseUrl: " + api.url() + "\npath: /items\nrecords: { key: id }\n" + yaml, store);
  }

  private static Answer ok() {
    return Answer.json(List.of(Map.of("id", "a"), Map.of("id", "b")));
  }

  private static Map<String, String> form(ApiStub.Received r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : r.bodyText().split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void basicSendsTheEncodedPairAndMasksThePassword() throws Exception {
    api.on("/items", r -> "Basic ZmVsaXg6cGFzc3dvcmQtNDI=".equals(r.header("Authorization")) ? ok()
        : Answer.status(403, "{\"error\":\"bad credentials for felix:password-42\"}"));
    Harness.Run run = read(http("auth: { type: basic, username: felix, password: password-42 }"), time, null);
    assertThat(run.keys()).containsExactly("a", "b");

    HttpConnector wrong = http("auth: { type: basic, username: felix, password: wrong-password }");
    api.on("/items", r -> Answer.status(403, "{\"error\":\"bad credentials for felix:wrong-password, header "
        + r.header("Authorization") + "\"}"));
    Throwable t = catchThrowable(() -> read(wrong, time, null));
    assertThat(t).isInstanceOf(HttpSourceException.class).hasMessageContaining("403")
        .hasMessageContaining("bad credentials for felix:***")
        .hasMessageNotContaining("wrong-password")
        .hasMessageNotContaining(Base64.getEncoder().encodeToString("felix:wrong-password".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void bearerToken() throws Exception {
    api.on("/items", r -> "Bearer tok-123456".equals(r.header("Authorization")) ? ok() : Answer.status(401, "{}"));
    assertThat(read(http("auth: { type: bearer, token: tok-123456 }"), time, null).keys()).containsExactly("a", "b");
  }

  @Test
  void bearerTokenFromTheSecretStoreAtRunTimePicksUpARotatedValue() throws Exception {
    secrets.with("api_token", "first-token-value");
    api.on("/items", r -> ("Bearer " + secrets.values.get("api_token")).equals(r.header("Authorization")) ? ok()
        : Answer.status(401, "{}"));
    HttpConnector c = http("auth: { type: bearer, token: \"{secret:api_token}\" }");
    Harness.Run first = read(c, time, null);
    secrets.with("api_token", "second-token-value"); // rotated by another process
    Harness.Run second = read(c, time, null);

    assertThat(first.keys()).containsExactly("a", "b");
    assertThat(second.keys()).containsExactly("a", "b");
    assertThat(api.requests.get(1).header("Authorization")).isEqualTo("Bearer second-token-value");
  }

  @Test
  void apiKeyInAHeader() throws Exception {
    api.on("/items", r -> "k-abcdef".equals(r.header("X-Api-Key")) ? ok() : Answer.status(401, "{}"));
    assertThat(read(http("auth: { type: api-key, name: X-Api-Key, value: k-abcdef }"), time, null).keys())
        .containsExactly("a", "b");
  }

  @Test
  void apiKeyInTheQueryIsMaskedInRequestReportsLogsAndErrors() throws Exception {
    api.on("/items", r -> "k-abcdef".equals(r.param("apikey")) ? ok() : Answer.status(401, "{}"));
    Harness.Run run = read(http("auth: { type: api-key, name: apikey, value: k-abcdef, in: query }"), time, null);
    assertThat(run.keys()).containsExactly("a", "b");
    assertThat(run.requests).singleElement().asString().contains("apikey=***").doesNotContain("k-abcdef");
    assertThat(run.logLines).isNotEmpty().noneMatch(l -> l.contains("k-abcdef"));

    api.on("/items", r -> Answer.status(500, "{\"error\":\"database down while serving apikey k-abcdef\"}"));
    HttpConnector failing = http("auth: { type: api-key, name: apikey, value: k-abcdef, in: query }\nretry: { maxRetries: 1 }");
    Harness.Run failed = new Harness.Run(time, null);
    Throwable t = catchThrowable(() -> failing.read(failed, null, failed));
    assertThat(t).isInstanceOf(HttpSourceException.class)
        .hasMessageContaining("GET " + api.url() + "/items?apikey=***")
        .hasMessageContaining("500").hasMessageContaining("database down while serving apikey ***")
        .hasMessageNotContaining("k-abcdef");
    assertThat(((HttpSourceException) t).url()).doesNotContain("k-abcdef");
    assertThat(failed.everythingShown()).contains("retry 1/1").doesNotContain("k-abcdef");
  }

  // --- OAuth 2.0 ---------------------------------------------------------------------------------

  private void tokenEndpoint(AtomicInteger issued, long expiresIn) {
    api.on("/oauth/token", r -> {
      Map<String, String> form = form(r);
      if (!"client_credentials".equals(form.get("grant_type"))
          || !("Basic " + Base64.getEncoder().encodeToString("app:app-secret-1".getBytes(StandardCharsets.UTF_8)))
              .equals(r.header("Authorization"))) {
        return Answer.status(401, "{\"error\":\"invalid_client\"}");
      }
      return Answer.json(Map.of("access_token", "at-" + issued.incrementAndGet(), "token_type", "Bearer",
          "expires_in", expiresIn));
    });
  }

  private String oauth(String extra) {
    return "auth: { type: oauth2, tokenUrl: " + api.url() + "/oauth/token, clientId: app, clientSecret: app-secret-1"
        + extra + " }";
  }

  @Test
  void clientCredentialsTokensAreCachedUntilExpiryMinusTheMargin() throws Exception {
    AtomicInteger issued = new AtomicInteger();
    tokenEndpoint(issued, 3600);
    api.on("/items", r -> r.header("Authorization").startsWith("Bearer at-") ? ok() : Answer.status(401, "{}"));
    HttpConnector c = http(oauth(", scopes: [read, write], expiryMargin: 60s"));

    read(c, time, null);
    read(c, time, null);
    time.advance(Duration.ofSeconds(3600 - 60 - 1));
    read(c, time, null);
    assertThat(issued).as("one token until just before expiry minus the margin").hasValue(1);
    assertThat(form(api.requestsTo("/oauth/token").get(0))).containsEntry("scope", "read write");

    time.advance(Duration.ofSeconds(1));
    read(c, time, null);
    assertThat(issued).as("renewed at expiry minus the margin").hasValue(2);
    assertThat(api.requestsTo("/items")).extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer at-1", "Bearer at-1", "Bearer at-1", "Bearer at-2");
  }

  @Test
  void a401RenewsTheTokenOnceAndASecond401FailsClearly() throws Exception {
    AtomicInteger issued = new AtomicInteger();
    tokenEndpoint(issued, 3600);
    api.on("/items", r -> "Bearer at-2".equals(r.header("Authorization")) ? ok()
        : Answer.status(401, "{\"error\":\"token revoked\"}"));
    HttpConnector c = http(oauth(""));

    Harness.Run run = read(c, time, null);
    assertThat(run.keys()).containsExactly("a", "b");
    assertThat(issued).hasValue(2);
    assertThat(run.requests).anyMatch(l -> l.contains("401, renewing the access token"));

    api.on("/items", r -> Answer.status(401, "{\"error\":\"not allowed\"}"));
    int before = api.requestsTo("/items").size();
    assertThatThrownBy(() -> read(c, time, null))
        .isInstanceOf(HttpSourceException.class)
        .hasMessageContaining("401 Unauthorized again after renewing the access token")
        .hasMessageContaining("GET " + api.url() + "/items");
    assertThat(issued).as("exactly one renewal per request").hasValue(3);
    assertThat(api.requestsTo("/items").size() - before).isEqualTo(2);
  }

  @Test
  void tokenEndpointErrorsNameTheOAuthErrorWithoutSecrets() throws Exception {
    api.on("/oauth/token", r -> Answer.status(400,
        "{\"error\":\"invalid_scope\",\"error_description\":\"scope admin is not allowed for app-secret-1\"}"));
    HttpConnector c = http(oauth(", scopes: [admin]"));

    assertThatThrownBy(() -> read(c, time, null))
        .isInstanceOf(HttpSourceException.class)
        .hasMessageContaining("400").hasMessageContaining("invalid_scope")
        .hasMessageContaining("not allowed for ***").hasMessageNotContaining("app-secret-1");
    assertThat(api.requestsTo("/items")).isEmpty();
  }

  /** A token endpoint that rotates refresh tokens: each works once, then is revoked. */
  private final class RotatingEndpoint {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<String> presented = new CopyOnWriteArrayList<>();
    volatile String valid = "rt-1";
    final AtomicInteger n = new AtomicInteger(1);

    RotatingEndpoint() {
      api.on("/oauth/token", r -> {
        Map<String, String> form = form(r);
        presented.add(form.get("refresh_token"));
        if (!"refresh_token".equals(form.get("grant_type")) || !valid.equals(form.get("refresh_token"))) {
          return Answer.status(400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token "
              + form.get("refresh_token") + " is revoked\"}");
        }
        int next = n.incrementAndGet();
        valid = "rt-" + next;
        events.add("token endpoint rotated to rt-" + next);
        return Answer.json(Map.of("access_token", "at-" + next, "expires_in", 3600, "refresh_token", "rt-" + next));
      });
      api.on("/items", r -> {
        events.add("resource called with " + r.header("Authorization"));
        return r.header("Authorization").startsWith("Bearer at-") ? ok() : Answer.status(401, "{}");
      });
    }
  }

  private static final String REFRESH = ", grant: refresh-token, refreshTokenSecret: crm_refresh";

  @Test
  void aRotatedRefreshTokenIsStoredBeforeTheNewAccessTokenIsUsedAndSurvivesARestart() throws Exception {
    RotatingEndpoint endpoint = new RotatingEndpoint();
    InMemoryStore store = new InMemoryStore(time);
    char[] key = "correct horse battery staple".toCharArray();
    Secrets process1 = Secrets.open(store.secrets().orElseThrow(), key.clone());
    process1.put("crm_refresh", "rt-1");
    List<String> events = endpoint.events;
    dev.sluice.spi.PluginSecrets recording = new dev.sluice.spi.PluginSecrets() {
      @Override
      public java.util.Optional<String> get(String name) {
        return process1.get(name);
      }

      @Override
      public void put(String name, String value) {
        process1.put(name, value);
        events.add("stored " + value);
      }
    };

    HttpConnector first = http(oauth(REFRESH), recording);
    assertThat(read(first, time, null).keys()).containsExactly("a", "b");
    assertThat(events).containsExactly("token endpoint rotated to rt-2", "stored rt-2", "resource called with Bearer at-2");

    // The process dies; a new one opens the same store with the master key and creates the source again.
    first.close();
    Secrets process2 = Secrets.open(store.secrets().orElseThrow(), key.clone());
    HttpConnector second = http(oauth(REFRESH), process2);
    assertThat(read(second, time, null).keys()).containsExactly("a", "b");

    assertThat(endpoint.presented).containsExactly("rt-1", "rt-2");
    assertThat(process2.get("crm_refresh")).contains("rt-3");
  }

  @Test
  void aCrashAfterTheRotationLosesNothingBecauseTheStoreWasWrittenFirst() throws Exception {
    RotatingEndpoint endpoint = new RotatingEndpoint();
    secrets.with("crm_refresh", "rt-1");
    api.on("/items", r -> Answer.status(500, "{\"error\":\"the process crashed here\"}"));
    HttpConnector crashed = http(oauth(REFRESH) + "\nretry: { maxRetries: 0 }");
    assertThatThrownBy(() -> read(crashed, time, null)).isInstanceOf(HttpSourceException.class);
    assertThat(secrets.values).containsEntry("crm_refresh", "rt-2");

    api.on("/items", r -> ok());
    HttpConnector restarted = http(oauth(REFRESH));
    assertThat(read(restarted, time, null).keys()).containsExactly("a", "b");
    assertThat(endpoint.presented).containsExactly("rt-1", "rt-2");
  }

  @Test
  void whenTheRotatedRefreshTokenCanNotBeStoredTheNewAccessTokenIsNotUsed() throws Exception {
    RotatingEndpoint endpoint = new RotatingEndpoint();
    secrets.with("crm_refresh", "rt-1");
    secrets.failWrites = new IllegalStateException("store is read-only");
    HttpConnector c = http(oauth(REFRESH));

    assertThatThrownBy(() -> read(c, time, null))
        .isInstanceOf(HttpSourceException.class)
        .hasMessageContaining("could not be saved to secret 'crm_refresh'")
        .hasMessageContaining("store is read-only")
        .hasMessageContaining("new access token was not used")
        .hasMessageNotContaining("rt-2").hasMessageNotContaining("at-2");
    assertThat(endpoint.events).noneMatch(e -> e.startsWith("resource called"));
  }

  @Test
  void aRevokedRefreshTokenFailsNamingTheSecretToSetAgain() throws Exception {
    RotatingEndpoint endpoint = new RotatingEndpoint();
    endpoint.valid = "rt-elsewhere";
    secrets.with("crm_refresh", "rt-1");
    HttpConnector c = http(oauth(REFRESH));

    assertThatThrownBy(() -> read(c, time, null))
        .isInstanceOf(HttpSourceException.class)
        .hasMessageContaining("invalid_grant").hasMessageContaining("secret 'crm_refresh'")
        .hasMessageContaining("sluice secret set crm_refresh")
        .hasMessageContaining("refresh token *** is revoked").hasMessageNotContaining("rt-1");
  }

  @Test
  void aRefreshTokenRotatedByAnotherProcessMeanwhileIsPickedUp() throws Exception {
    RotatingEndpoint endpoint = new RotatingEndpoint();
    secrets.with("crm_refresh", "rt-1");
    // Another node refreshes first: the endpoint moves on to rt-7 and that node stores it, but only
    // after this process read rt-1 (the write lands between our read and the endpoint's answer).
    endpoint.valid = "rt-7";
    dev.sluice.spi.PluginSecrets racing = new dev.sluice.spi.PluginSecrets() {
      private boolean first = true;

      @Override
      public java.util.Optional<String> get(String name) {
        java.util.Optional<String> v = secrets.get(name);
        if (first) {
          first = false;
          secrets.with(name, "rt-7");
        }
        return v;
      }

      @Override
      public void put(String name, String value) {
        secrets.put(name, value);
      }
    };
    HttpConnector c = http(oauth(REFRESH), racing);

    assertThat(read(c, time, null).keys()).containsExactly("a", "b");
    assertThat(endpoint.presented).containsExactly("rt-1", "rt-7");
    assertThat(secrets.values).as("the token rotated in exchange for rt-7").containsEntry("crm_refresh", endpoint.valid);
    assertThat(endpoint.valid).isNotEqualTo("rt-7");
  }

  @Test
  void theRefreshTokenGrantNeedsASecretToWriteRotatedTokensTo() {
    assertThatThrownBy(() -> http(oauth(", grant: refresh-token")))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("refreshTokenSecret").hasMessageContaining("is required");
  }

  // --- request signing -------------------------------------------------------------------------

  @Test
  void aSignerFoundByServiceLoaderSignsEveryRequestIncludingBodyAndQuery() throws Exception {
    api.on("/items", r -> TestHmacSignerProvider.verify("hmac-key-1", r, time.instant()) ? ok()
        : Answer.status(401, "{\"error\":\"bad signature\"}"));
    HttpConnector c = http("""
        method: POST
        query: { since: "{now-1d:yyyy-MM-dd}" }
        body: { filter: open }
        signer: { type: test-hmac, secret: hmac-key-1 }
        """);

    Harness.Run run = read(c, time, null);
    assertThat(run.keys()).containsExactly("a", "b");
    ApiStub.Received r = api.requests.get(0);
    assertThat(r.param("since")).isEqualTo("2025-12-31");
    assertThat(r.header("X-Signature")).hasSize(64);
  }

  @Test
  void anUnknownSignerTypeNamesTheKnownOnes() {
    assertThatThrownBy(() -> http("signer: { type: sigv4 }"))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("no request signer of type 'sigv4'").hasMessageContaining("test-hmac");
  }
}
