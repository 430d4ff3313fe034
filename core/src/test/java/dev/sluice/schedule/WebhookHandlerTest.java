package dev.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunRecord;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.RecordingDestination;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Webhooks end to end through the handler: each signature scheme signed the way its vendor
 * documents it (computed here independently of the code under test), and every refusal.
 */
@Timeout(60)
class WebhookHandlerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final String SECRET = "whsec_5up3r-s3cr3t";
  private static final String WRONG = "whsec_not-the-secret";
  /** Standard Webhooks secrets are whsec_ + base64 of the key; the test's SECRET/WRONG map to these. */
  private static final String STANDARD_SECRET = "whsec_" + Base64.getEncoder().encodeToString("standard-key-1".getBytes(StandardCharsets.UTF_8));
  private static final String STANDARD_WRONG = "whsec_" + Base64.getEncoder().encodeToString("standard-key-2".getBytes(StandardCharsets.UTF_8));

  private final InMemoryStore store = new InMemoryStore();
  private final RecordingDestination out = new RecordingDestination();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ManualTicker ticker = new ManualTicker(NOW);
  private Sluice sluice;

  /** How a sender signs: body and timestamp to headers. */
  interface Signer {
    Map<String, String> sign(String secret, long timestamp, String body, String deliveryId);
  }

  /** One scheme: its path, how it signs, whether it signs a timestamp. */
  record Scheme(String name, String path, WebhookSignature signature, Signer signer, boolean timestamped) {
    @Override
    public String toString() {
      return name;
    }
  }

  static String hmacHex(String secret, String content) {
    return HexFormat.of().formatHex(hmac(secret, content));
  }

  static byte[] hmac(String secret, String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Stream<Scheme> schemes() {
    return Stream.of(
        new Scheme("generic hex", "/hooks/generic", WebhookSignature.hmacSha256(SECRET).withDeliveryIdHeader("X-Delivery-Id"),
            (s, ts, body, id) -> Map.of("X-Signature", hmacHex(s, body), "X-Delivery-Id", id), false),
        new Scheme("generic base64 with timestamp", "/hooks/generic-ts",
            WebhookSignature.hmacSha256(SECRET).withHeader("X-Acme-Signature").withEncoding(WebhookSignature.Encoding.BASE64)
                .withPrefix("v1,").withTimestampHeader("X-Acme-Timestamp").withDeliveryIdHeader("X-Acme-Id"),
            (s, ts, body, id) -> Map.of("X-Acme-Signature", "v1," + Base64.getEncoder().encodeToString(hmac(s, ts + "." + body)),
                "X-Acme-Timestamp", Long.toString(ts), "X-Acme-Id", id), true),
        new Scheme("github", "/hooks/github", WebhookSignature.github(SECRET),
            (s, ts, body, id) -> Map.of("X-Hub-Signature-256", "sha256=" + hmacHex(s, body), "X-GitHub-Delivery", id,
                "X-GitHub-Event", "push"), false),
        new Scheme("stripe", "/hooks/stripe", WebhookSignature.stripe(SECRET),
            (s, ts, body, id) -> Map.of("Stripe-Signature", "t=" + ts + ",v1=" + hmacHex(s, ts + "." + body)
                + ",v0=" + hmacHex("legacy", body)), true),
        new Scheme("slack", "/hooks/slack", WebhookSignature.slack(SECRET),
            (s, ts, body, id) -> Map.of("X-Slack-Signature", "v0=" + hmacHex(s, "v0:" + ts + ":" + body),
                "X-Slack-Request-Timestamp", Long.toString(ts)), true),
        new Scheme("standard webhooks", "/hooks/standard", WebhookSignature.standard(STANDARD_SECRET),
            (s, ts, body, id) -> standardHeaders(s.equals(SECRET) ? STANDARD_SECRET : STANDARD_WRONG, id, ts, body), true));
  }

  /** Signed as standardwebhooks.com specifies: base64 HMAC-SHA256 of "id.timestamp.body" with the decoded key. */
  static Map<String, String> standardHeaders(String secret, String id, long ts, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
      String sig = Base64.getEncoder().encodeToString(mac.doFinal((id + "." + ts + "." + body).getBytes(StandardCharsets.UTF_8)));
      return Map.of("webhook-id", id, "webhook-timestamp", Long.toString(ts), "webhook-signature", "v1," + sig);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Sluice start() {
    sluice = node(UnaryOperator.identity());
    return sluice;
  }

  /** A started Sluice on {@link #store} with a pipeline per scheme; closed by the caller. */
  private Sluice node(UnaryOperator<WebhookTrigger> settings) {
    Sluice.Builder b = Sluice.builder().store(store).sleeper(new FakeSleeper()).meterRegistry(registry).ticker(ticker)
        .destination("out", out);
    schemes().forEach(s -> b.pipeline(s.path().substring(7), p -> p.source("webhook", Map.of("key", "id"))
        .route(r -> r.to("out")).trigger(settings.apply(WebhookTrigger.of(s.path(), s.signature()).withMaxBodyBytes(4096)))));
    return b.build().start();
  }

  @AfterEach
  void close() {
    if (sluice != null) {
      sluice.close();
    }
  }

  /** A payload whose delivery id (Stripe: event id, Slack: event_id) is {@code id}. */
  private static String payload(String id) {
    return "{\"id\":\"" + id + "\",\"event_id\":\"" + id + "\",\"type\":\"order.created\",\"amount\":1200}";
  }

  private WebhookResponse post(String path, Map<String, String> headers, String body) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Content-Type", "application/json");
    return sluice.webhooks().handle(WebhookRequest.of("POST", path, h, body.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Posts like a sender that retries on 503: a run's history shows it ended a moment before the
   * pipeline stops counting it as in progress.
   */
  private WebhookResponse postUntilNotBusy(String path, Map<String, String> headers, String body) throws Exception {
    WebhookResponse r = post(path, headers, body);
    for (int i = 0; i < 100 && r.status() == 503; i++) {
      Thread.sleep(10);
      r = post(path, headers, body);
    }
    return r;
  }

  private RunRecord awaitRun(WebhookResponse response) throws Exception {
    String runId = JSON.readTree(response.body()).get("runId").asText();
    Eventually.await("run " + runId + " ended", () -> store.runs().find(runId).map(r -> r.status().isFinal()).orElse(false));
    return store.runs().find(runId).orElseThrow();
  }

  private double rejected(String path, String reason) {
    var c = registry.find("sluice.webhooks.rejected").tag("path", path).tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private static void assertNoSecrets(WebhookResponse r, Map<String, String> headers) {
    assertThat(r.body()).doesNotContain(SECRET);
    headers.values().stream().filter(v -> v.length() > 20).forEach(v -> assertThat(r.body()).doesNotContain(v));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void aValidDeliveryStartsARunWithThePayload(Scheme s) throws Exception {
    start();
    String body = payload("evt_1");
    WebhookResponse r = post(s.path(), s.signer().sign(SECRET, NOW.getEpochSecond(), body, "d-1"), body);

    assertThat(r.status()).as(r.body()).isEqualTo(202);
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.get("status").asText()).isEqualTo("RUNNING");
    RunRecord run = awaitRun(r);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.trigger()).isEqualTo("webhook " + s.path());
    assertThat(out.receivedKeys()).containsExactly("evt_1");
    assertThat(out.received.get(0).data().get("amount").asInt()).isEqualTo(1200);
    assertThat(registry.get("sluice.webhooks.accepted").tag("path", s.path()).counter().count()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void aWrongSecretIsRefusedWith401AndStartsNothing(Scheme s) {
    start();
    String body = payload("evt_1");
    Map<String, String> headers = s.signer().sign(WRONG, NOW.getEpochSecond(), body, "d-1");
    WebhookResponse r = post(s.path(), headers, body);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).contains("bad_signature");
    assertNoSecrets(r, headers);
    assertThat(store.runs().list(null, 10)).isEmpty();
    assertThat(rejected(s.path(), "bad_signature")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void aTamperedBodyIsRefusedWith401(Scheme s) {
    start();
    String body = payload("evt_1");
    Map<String, String> headers = s.signer().sign(SECRET, NOW.getEpochSecond(), body, "d-1");
    WebhookResponse r = post(s.path(), headers, body.replace("1200", "9200"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(store.runs().list(null, 10)).isEmpty();
    assertThat(rejected(s.path(), "bad_signature")).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void aStaleTimestampIsRefusedWhereTheSchemeSignsOne(Scheme s) throws Exception {
    start();
    String body = payload("evt_1");
    long sixMinutesAgo = NOW.minus(Duration.ofMinutes(6)).getEpochSecond();
    WebhookResponse r = post(s.path(), s.signer().sign(SECRET, sixMinutesAgo, body, "d-1"), body);
    if (s.timestamped()) {
      assertThat(r.status()).isEqualTo(401);
      assertThat(JSON.readTree(r.body()).get("reason").asText()).isEqualTo("stale");
      assertThat(r.body()).contains("360 s away").contains("tolerance is 300 s");
      assertThat(rejected(s.path(), "stale")).isEqualTo(1);
      assertThat(store.runs().list(null, 10)).isEmpty();
      long fourMinutesAhead = NOW.plus(Duration.ofMinutes(4)).getEpochSecond();
      assertThat(post(s.path(), s.signer().sign(SECRET, fourMinutesAhead, body, "d-2"), body).status())
          .as("within tolerance either way").isEqualTo(202);
    } else {
      // No timestamp is signed: only the delivery id guards against replays (see the next test).
      assertThat(r.status()).isEqualTo(202);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void aReplayedDeliveryStartsNothingAndIsCounted(Scheme s) throws Exception {
    start();
    String body = payload("evt_1");
    Map<String, String> headers = s.signer().sign(SECRET, NOW.getEpochSecond(), body, "d-1");
    WebhookResponse first = post(s.path(), headers, body);
    assertThat(first.status()).isEqualTo(202);
    awaitRun(first);

    ticker.advance(Duration.ofSeconds(30));
    WebhookResponse replay = post(s.path(), headers, body);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(JSON.readTree(replay.body()).get("status").asText()).isEqualTo("duplicate");
    assertThat(rejected(s.path(), "replay")).isEqualTo(1);
    assertThat(store.runs().list(null, 10)).hasSize(1);
    assertThat(out.received).hasSize(1);

    // A new delivery of the same scheme is still welcome.
    String other = payload("evt_2");
    WebhookResponse next = postUntilNotBusy(s.path(), s.signer().sign(SECRET, ticker.now().getEpochSecond(), other, "d-2"), other);
    assertThat(next.status()).isEqualTo(202);
    awaitRun(next);
    assertThat(out.receivedKeys()).containsExactly("evt_1", "evt_2");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void aReplayWithANewDeliveryIdHeaderOrAReEncodedSignatureStartsNothing(Scheme s) throws Exception {
    // Regression: the unsigned delivery-id header (X-GitHub-Delivery) used to be the replay id, so
    // a captured request resent with a fresh header value started a second run.
    start();
    String body = payload("evt_1");
    Map<String, String> headers = s.signer().sign(SECRET, NOW.getEpochSecond(), body, "d-1");
    awaitRun(post(s.path(), headers, body));

    // What an attacker can do without the secret: change the delivery id, re-encode the signature.
    Map<String, String> forged = new LinkedHashMap<>(headers);
    forged.replaceAll((name, value) -> value.equals("d-1") ? "d-forged"
        : name.equals("X-Hub-Signature-256") || name.equals("X-Signature")
            ? value.toUpperCase(java.util.Locale.ROOT).replace("SHA256=", "sha256=") : value);
    WebhookResponse replay = post(s.path(), forged, body);
    if (s.path().equals("/hooks/standard")) {
      assertThat(replay.status()).as("webhook-id is signed: " + replay.body()).isEqualTo(401);
    } else {
      assertThat(replay.status()).as(replay.body()).isEqualTo(200);
      assertThat(JSON.readTree(replay.body()).get("status").asText()).isEqualTo("duplicate");
    }
    assertThat(store.runs().list(null, 10)).hasSize(1);
    assertThat(out.received).hasSize(1);
  }

  @Test
  void twoNodesOnOneStoreRefuseEachOthersReplays() throws Exception {
    // Regression: each node kept its own replay memory, so a replay sent to another node started a run.
    Scheme github = schemes().filter(s -> s.name().equals("github")).findFirst().orElseThrow();
    String body = payload("evt_1");
    Map<String, String> headers = github.signer().sign(SECRET, 0, body, "d-1");
    try (Sluice a = node(UnaryOperator.identity()); Sluice b = node(UnaryOperator.identity())) {
      sluice = a;
      awaitRun(post(github.path(), headers, body));
      sluice = b;
      WebhookResponse replay = post(github.path(), headers, body);
      assertThat(replay.status()).as(replay.body()).isEqualTo(200);
      assertThat(JSON.readTree(replay.body()).get("status").asText()).isEqualTo("duplicate");
      assertThat(store.runs().list(null, 10)).hasSize(1);
    } finally {
      sluice = null;
    }
  }

  @Test
  void aFullReplayCacheRefusesNewDeliveriesInsteadOfForgettingOnes() throws Exception {
    // Regression: the oldest id was evicted when full, so its replay was accepted again.
    sluice = node(t -> t.withReplayWindow(Duration.ofHours(24), 2));
    Scheme github = schemes().filter(s -> s.name().equals("github")).findFirst().orElseThrow();
    List<String> bodies = List.of(payload("evt_1"), payload("evt_2"), payload("evt_3"));
    awaitRun(post(github.path(), github.signer().sign(SECRET, 0, bodies.get(0), "d-1"), bodies.get(0)));
    awaitRun(postUntilNotBusy(github.path(), github.signer().sign(SECRET, 0, bodies.get(1), "d-2"), bodies.get(1)));

    WebhookResponse third = post(github.path(), github.signer().sign(SECRET, 0, bodies.get(2), "d-3"), bodies.get(2));
    assertThat(third.status()).as(third.body()).isEqualTo(503);
    assertThat(third.headers()).containsEntry("Retry-After", "60");
    assertThat(JSON.readTree(third.body()).get("reason").asText()).isEqualTo("replay_cache_full");
    assertThat(rejected(github.path(), "replay_cache_full")).isEqualTo(1);
    WebhookResponse replayOfFirst = post(github.path(), github.signer().sign(SECRET, 0, bodies.get(0), "d-1"), bodies.get(0));
    assertThat(replayOfFirst.status()).as("still remembered").isEqualTo(200);
    // Runs refused by the overlap policy while postUntilNotBusy retried are recorded as SKIPPED.
    assertThat(store.runs().list(null, 10)).filteredOn(r -> r.status() != RunStatus.SKIPPED)
        .as("only the two accepted deliveries started runs").hasSize(2);

    ticker.advance(Duration.ofHours(24));
    WebhookResponse later = postUntilNotBusy(github.path(), github.signer().sign(SECRET, 0, bodies.get(2), "d-3"), bodies.get(2));
    assertThat(later.status()).as("room again once the window passed").isEqualTo(202);
  }

  @Test
  void withASignedTimestampAFullCacheForgetsOnlyDeliveriesWhoseTimestampIsStale() throws Exception {
    sluice = node(t -> t.withReplayWindow(Duration.ofHours(24), 1));
    Scheme slack = schemes().filter(s -> s.name().equals("slack")).findFirst().orElseThrow();
    String first = payload("evt_1");
    Map<String, String> firstHeaders = slack.signer().sign(SECRET, NOW.getEpochSecond(), first, "");
    awaitRun(post(slack.path(), firstHeaders, first));
    String second = payload("evt_2");
    WebhookResponse tooSoon = post(slack.path(), slack.signer().sign(SECRET, NOW.getEpochSecond(), second, ""), second);
    assertThat(tooSoon.status()).as("the first still guards its tolerance").isEqualTo(503);
    assertThat(JSON.readTree(tooSoon.body()).get("reason").asText()).isEqualTo("replay_cache_full");

    ticker.advance(Duration.ofMinutes(10).plusSeconds(1)); // twice the tolerance: the first can't be replayed anymore
    assertThat(post(slack.path(), firstHeaders, first).status()).as("stale, whether remembered or not").isEqualTo(401);
    WebhookResponse later = postUntilNotBusy(slack.path(), slack.signer().sign(SECRET, ticker.now().getEpochSecond(), second, ""), second);
    assertThat(later.status()).as(later.body()).isEqualTo(202);
  }

  @Test
  void theReplayWindowForgetsDeliveriesAfterItsTtl() throws Exception {
    start();
    Scheme github = schemes().filter(s -> s.name().equals("github")).findFirst().orElseThrow();
    String body = payload("evt_1");
    Map<String, String> headers = github.signer().sign(SECRET, 0, body, "d-1");
    awaitRun(post(github.path(), headers, body));
    ticker.advance(Duration.ofHours(25));
    WebhookResponse later = postUntilNotBusy(github.path(), headers, body);
    assertThat(later.status()).as("after the 24 h window the id is forgotten").isEqualTo(202);
    awaitRun(later);
  }

  @Test
  void githubsDocumentedTestVectorVerifies() {
    // docs.github.com, "Validating webhook deliveries": secret, payload and expected signature.
    WebhookSignature github = WebhookSignature.github("It's a Secret to Everybody");
    Map<String, String> headers = Map.of("X-Hub-Signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
    WebhookSignature.Verdict verdict = github.verify(headers::get, "Hello, World!".getBytes(StandardCharsets.UTF_8), NOW);
    assertThat(verdict.accepted()).isTrue();
    assertThat(github.verify(headers::get, "Hello, World?".getBytes(StandardCharsets.UTF_8), NOW).accepted()).isFalse();
  }

  @Test
  void standardWebhooksTestVectorVerifies() {
    // The test vector of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks).
    WebhookSignature standard = WebhookSignature.standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    Map<String, String> headers = Map.of("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp", "1614265330", "webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    Instant sent = Instant.ofEpochSecond(1614265330);

    WebhookSignature.Verdict verdict = standard.verify(headers::get, body, sent);
    assertThat(verdict.accepted()).isTrue();
    assertThat(standard.replayKeys(headers::get, null, verdict)).as("the signed webhook-id is the replay key")
        .containsExactly("id:msg_p5jXN8AQM9LWM0D4loKWxJek");
    Map<String, String> otherId = new LinkedHashMap<>(headers);
    otherId.put("webhook-id", "msg_other");
    assertThat(standard.verify(otherId::get, body, sent).status()).as("the id is signed").isEqualTo(401);
    assertThat(standard.verify(headers::get, body, sent.plusSeconds(301)).reason()).isEqualTo("stale");
  }

  @Test
  void standardWebhooksAcceptsAnyMatchingSignatureDuringKeyRotation() {
    start();
    String body = payload("evt_7");
    long ts = NOW.getEpochSecond();
    String good = standardHeaders(STANDARD_SECRET, "msg_1", ts, body).get("webhook-signature");
    String old = standardHeaders(STANDARD_WRONG, "msg_1", ts, body).get("webhook-signature");
    Map<String, String> headers = Map.of("webhook-id", "msg_1", "webhook-timestamp", Long.toString(ts),
        "webhook-signature", old + " v1a,c2lnbmF0dXJl " + good);
    assertThat(post("/hooks/standard", headers, body).status()).isEqualTo(202);

    Map<String, String> onlyOld = Map.of("webhook-id", "msg_2", "webhook-timestamp", Long.toString(ts), "webhook-signature", old);
    assertThat(post("/hooks/standard", onlyOld, body).status()).isEqualTo(401);
    Map<String, String> noV1 = Map.of("webhook-id", "msg_3", "webhook-timestamp", Long.toString(ts), "webhook-signature", "v2,abc");
    assertThat(post("/hooks/standard", noV1, body).status()).isEqualTo(400);
    Map<String, String> noId = Map.of("webhook-timestamp", Long.toString(ts), "webhook-signature", good);
    assertThat(post("/hooks/standard", noId, body).status()).isEqualTo(401);
    assertThatThrownBy(() -> WebhookSignature.standard("whsec_not base64!")).hasMessageContaining("whsec_")
        .hasMessageNotContaining("not base64");
  }

  @Test
  void stripeAcceptsAnyMatchingV1DuringSecretRotation() {
    start();
    String body = payload("evt_9");
    long ts = NOW.getEpochSecond();
    Map<String, String> headers = Map.of("Stripe-Signature",
        "t=" + ts + ",v1=" + hmacHex("old-secret", ts + "." + body) + ",v1=" + hmacHex(SECRET, ts + "." + body));
    assertThat(post("/hooks/stripe", headers, body).status()).isEqualTo(202);
  }

  @Test
  void malformedSignaturesAndBodiesAre400() {
    start();
    String body = payload("evt_1");
    WebhookResponse noTimestamp = post("/hooks/stripe", Map.of("Stripe-Signature", "v1=abcd"), body);
    assertThat(noTimestamp.status()).isEqualTo(400);
    assertThat(noTimestamp.body()).contains("t=<timestamp>");
    assertThat(post("/hooks/github", Map.of("X-Hub-Signature-256", "sha256=not-hex"), body).status()).isEqualTo(400);
    assertThat(post("/hooks/github", Map.of("X-Hub-Signature-256", "md5=abcd"), body).status()).isEqualTo(400);
    assertThat(post("/hooks/slack", Map.of("X-Slack-Signature", "v0=ab", "X-Slack-Request-Timestamp", "yesterday"), body)
        .status()).isEqualTo(400);

    String broken = "{\"id\": ";
    WebhookResponse badJson = post("/hooks/github", Map.of("X-Hub-Signature-256", "sha256=" + hmacHex(SECRET, broken),
        "X-GitHub-Delivery", "d-9"), broken);
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.body()).contains("not valid JSON").contains("line 1");
    assertThat(rejected("/hooks/github", "malformed")).isEqualTo(3);
    assertThat(store.runs().list(null, 10)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"99999999999999999", "-99999999999999999", "9223372036854775807", "-9223372036854775808"})
  void timestampsBeyondTheRangeOfInstantAreRefusedNotThrown(String timestamp) {
    // Regression: these pass Long.parseLong, and Instant.ofEpochSecond then threw DateTimeException.
    start();
    String body = payload("evt_1");
    List<WebhookResponse> answers = List.of(
        post("/hooks/stripe", Map.of("Stripe-Signature", "t=" + timestamp + ",v1=" + hmacHex(SECRET, timestamp + "." + body)), body),
        post("/hooks/slack", Map.of("X-Slack-Signature", "v0=" + hmacHex(SECRET, "v0:" + timestamp + ":" + body),
            "X-Slack-Request-Timestamp", timestamp), body),
        post("/hooks/generic-ts", Map.of("X-Acme-Signature", "v1," + Base64.getEncoder().encodeToString(hmac(SECRET, timestamp + "." + body)),
            "X-Acme-Timestamp", timestamp, "X-Acme-Id", "d-1"), body));
    assertThat(answers).allSatisfy(r -> {
      assertThat(r.status()).as(r.body()).isEqualTo(401);
      assertThat(JSON.readTree(r.body()).get("reason").asText()).isEqualTo("stale");
    });
    assertThat(store.runs().list(null, 10)).isEmpty();
  }

  @Test
  void bodiesThatAreNotUtf8AreMalformedNot500() {
    // Fuzz finding: leading NUL bytes made Jackson read the body as UTF-32 and fail with an
    // IOException that was not a JsonProcessingException; the handler threw.
    start();
    byte[] utf32Looking = {0, 0, 0, '{', '"', 'a', '"', ':', '1', '}'};
    byte[] invalidUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    for (byte[] body : List.of(utf32Looking, invalidUtf8)) {
      WebhookResponse r = sluice.webhooks().handle(WebhookRequest.of("POST", "/hooks/github", Map.of(
          "Content-Type", "application/json", "X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(
              WebhookSignature.github(SECRET).mac(body))), body));
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.body()).contains("malformed");
    }
    assertThat(store.runs().list(null, 10)).isEmpty();
  }

  @Test
  void formBodiesWithBrokenPercentEscapesAreMalformedNot500() {
    // Fuzz finding: URLDecoder throws IllegalArgumentException on "%zz" or a trailing "%".
    start();
    long ts = NOW.getEpochSecond();
    for (String body : List.of("text=%zz", "a=1&b=%", "%=x")) {
      WebhookResponse r = sluice.webhooks().handle(WebhookRequest.of("POST", "/hooks/slack", Map.of(
          "Content-Type", "application/x-www-form-urlencoded",
          "X-Slack-Signature", "v0=" + hmacHex(SECRET, "v0:" + ts + ":" + body),
          "X-Slack-Request-Timestamp", Long.toString(ts)), body.getBytes(StandardCharsets.UTF_8)));
      assertThat(r.status()).as(body + ": " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains("URL encoding");
    }
    assertThat(store.runs().list(null, 10)).isEmpty();
  }

  @Test
  void aMissingSignatureIs401() {
    start();
    WebhookResponse r = post("/hooks/slack", Map.of(), payload("evt_1"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).contains("missing signature header X-Slack-Signature");
    assertThat(rejected("/hooks/slack", "missing_signature")).isEqualTo(1);
  }

  @Test
  void bodiesOverTheLimitAre413EvenWhenStreamed() throws Exception {
    start();
    String big = "{\"id\":\"x\",\"pad\":\"" + "a".repeat(5000) + "\"}";
    Map<String, String> headers = Map.of("X-Hub-Signature-256", "sha256=" + hmacHex(SECRET, big));
    assertThat(post("/hooks/github", headers, big).status()).isEqualTo(413);

    ByteArrayInputStream endless = new ByteArrayInputStream(new byte[10_000_000]);
    WebhookResponse streamed = sluice.webhooks().handle("POST", "/hooks/github", Map.of(), endless);
    assertThat(streamed.status()).isEqualTo(413);
    assertThat(endless.available()).as("no more than the limit + 1 byte was read").isEqualTo(10_000_000 - 4097);
    assertThat(rejected("/hooks/github", "too_large")).isEqualTo(2);
    assertThat(sluice.webhooks().maxBodyBytes("/hooks/github")).isEqualTo(4096);
  }

  @Test
  void unknownPathsOtherMethodsAndAnUnstartedSluiceAreRefused() {
    Sluice.Builder b = Sluice.builder().store(store).meterRegistry(registry).ticker(ticker).destination("out", out)
        .pipeline("hook", p -> p.source("webhook", Map.of()).route(r -> r.to("out"))
            .webhook("/hooks/a", WebhookSignature.none()));
    sluice = b.build();
    WebhookResponse early = post("/hooks/a", Map.of(), "{}");
    assertThat(early.status()).isEqualTo(503);
    assertThat(early.headers()).containsEntry("Retry-After", "60");
    sluice.start();
    assertThat(post("/hooks/b", Map.of(), "{}").status()).isEqualTo(404);
    assertThat(post("/hooks/a?x=1", Map.of(), "{}").status()).isEqualTo(404);
    WebhookResponse get = sluice.webhooks().handle(WebhookRequest.of("GET", "/hooks/a", Map.of(), new byte[0]));
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.headers()).containsEntry("Allow", "POST");
    assertThat(post("/hooks/a/", Map.of(), "{\"id\":1}").status()).as("trailing slash").isEqualTo(202);
    assertThat(rejected("unknown", "not_found")).isEqualTo(2);
    assertThat(rejected("/hooks/a", "not_started")).isEqualTo(1);
    assertThat(rejected("/hooks/a", "method")).isEqualTo(1);
  }

  @Test
  void formEncodedBodiesBecomeObjectsOfTheirFields() throws Exception {
    start();
    String body = "token=xyz&team_id=T1&command=%2Fdeploy&text=web+now&id=cmd-1";
    long ts = NOW.getEpochSecond();
    WebhookResponse r = sluice.webhooks().handle(WebhookRequest.of("POST", "/hooks/slack", Map.of(
        "content-type", "application/x-www-form-urlencoded",
        "x-slack-signature", "v0=" + hmacHex(SECRET, "v0:" + ts + ":" + body),
        "x-slack-request-timestamp", Long.toString(ts)), body.getBytes(StandardCharsets.UTF_8)));
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    awaitRun(r);
    assertThat(out.received).singleElement().satisfies(rec -> {
      assertThat(rec.key()).isEqualTo("cmd-1");
      assertThat(rec.data().get("command").asText()).isEqualTo("/deploy");
      assertThat(rec.data().get("text").asText()).isEqualTo("web now");
    });
  }

  @Test
  void aDeliverySkippedByTheOverlapPolicyIs503AndMayBeRetried() throws Exception {
    Semaphore gate = out.gate();
    start();
    Scheme github = schemes().filter(s -> s.name().equals("github")).findFirst().orElseThrow();
    String first = payload("evt_1");
    WebhookResponse accepted = post(github.path(), github.signer().sign(SECRET, 0, first, "d-1"), first);
    assertThat(accepted.status()).isEqualTo(202);
    Eventually.await("the first run delivers", gate::hasQueuedThreads);

    // Until the first run's source has stopped taking deliveries (it lingers briefly for more), a
    // delivery joins it; after that, one is refused by the overlap policy.
    List<String> joined = new java.util.ArrayList<>();
    String second;
    Map<String, String> headers;
    WebhookResponse skipped;
    int attempt = 0;
    do {
      second = payload("evt_2_" + attempt);
      headers = github.signer().sign(SECRET, 0, second, "d-2-" + attempt);
      skipped = post(github.path(), headers, second);
      if (skipped.status() == 202) {
        assertThat(JSON.readTree(skipped.body()).get("runId").asText())
            .isEqualTo(JSON.readTree(accepted.body()).get("runId").asText());
        joined.add("evt_2_" + attempt);
        Thread.sleep(5);
      }
    } while (skipped.status() == 202 && ++attempt < 2_000);
    assertThat(skipped.status()).as(skipped.body()).isEqualTo(503);
    assertThat(skipped.headers()).containsEntry("Retry-After", "60");
    assertThat(JSON.readTree(skipped.body()).get("status").asText()).isEqualTo("SKIPPED");

    gate.release(100);
    awaitRun(accepted);
    WebhookResponse retry = postUntilNotBusy(github.path(), headers, second);
    assertThat(retry.status()).as("the skipped delivery id was not remembered").isEqualTo(202);
    awaitRun(retry);
    List<String> expected = new java.util.ArrayList<>(List.of("evt_1"));
    expected.addAll(joined);
    expected.add("evt_2_" + attempt);
    assertThat(out.receivedKeys()).containsExactlyElementsOf(expected);
  }

  @Test
  void secretsNeverShowInToStringAndSettingsAreChecked() {
    assertThat(WebhookSignature.stripe(SECRET).toString()).doesNotContain(SECRET).contains("****");
    assertThat(WebhookTrigger.of("/hooks/s", WebhookSignature.slack(SECRET)).toString()).doesNotContain(SECRET);
    assertThat(WebhookSignature.github(SECRET)).isEqualTo(WebhookSignature.github(SECRET))
        .isNotEqualTo(WebhookSignature.github(WRONG));
    assertThatThrownBy(() -> WebhookSignature.github("")).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> WebhookSignature.github(SECRET).withHeader("X-Other"))
        .hasMessageContaining("only be set for the generic hmac-sha256 scheme, not github");
    assertThatThrownBy(() -> WebhookTrigger.of("hooks/x", WebhookSignature.none()))
        .hasMessageContaining("must start with '/'").hasMessageContaining("'hooks/x'");
    assertThatThrownBy(() -> WebhookTrigger.of("/h", WebhookSignature.slack(SECRET)).withReplayWindow(Duration.ofMinutes(1), 10))
        .hasMessageContaining("must be at least twice the signature tolerance");
    assertThatThrownBy(() -> WebhookTrigger.of("/h", WebhookSignature.slack(SECRET)).withReplayWindow(Duration.ofMinutes(9), 10))
        .as("a timestamp may lie one tolerance ahead").hasMessageContaining("twice");
    assertThat(List.of(WebhookTrigger.of("/hooks/x/", WebhookSignature.none()).path())).containsExactly("/hooks/x");
  }
}
