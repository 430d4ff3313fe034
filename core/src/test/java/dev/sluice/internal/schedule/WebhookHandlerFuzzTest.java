package dev.sluice.internal.schedule;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.schedule.WebhookHandler;
import dev.sluice.schedule.WebhookRequest;
import dev.sluice.schedule.WebhookResponse;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.store.InMemoryReplayCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile requests to the webhook endpoints: any method, path, headers and body, signed wrongly,
 * rightly or not at all, against every signature scheme. The handler must answer every request
 * with one of the statuses {@link WebhookResponse} documents (never 500, never an exception), a
 * JSON object body, only the documented extra headers, and never the secret (unless the request
 * itself carried it: answers may quote a malformed value).
 *
 * <p>To get past signature checks, an input may ask the harness to sign its (fuzzed) body
 * correctly for the endpoint's scheme, with a fuzzed timestamp and id; so parsing, replay
 * detection and the replay cache's capacity are fuzzed too.
 *
 * <p>The default test run replays the committed corpus in {@code WebhookHandlerFuzzTestInputs/};
 * the build's {@code fuzz} execution fuzzes for {@code maxDuration}.
 */
class WebhookHandlerFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  private static final String SECRET = "fuzz-s3cr3t-value";
  private static final String STANDARD_SECRET =
      "whsec_" + Base64.getEncoder().encodeToString("fuzz-standard-key-0123456789".getBytes(StandardCharsets.UTF_8));
  private static final Set<Integer> DOCUMENTED = Set.of(200, 202, 400, 401, 404, 405, 413, 503);
  private static final Set<String> EXTRA_HEADERS = Set.of("Allow", "Retry-After");

  private static final Map<String, WebhookSignature> SCHEMES = new LinkedHashMap<>();

  static {
    SCHEMES.put("/hooks/none", WebhookSignature.none().withDeliveryIdField("/id").withDeliveryIdHeader("X-Id"));
    SCHEMES.put("/hooks/hex", WebhookSignature.hmacSha256(SECRET).withDeliveryIdHeader("X-Id"));
    SCHEMES.put("/hooks/b64", WebhookSignature.hmacSha256(SECRET).withEncoding(WebhookSignature.Encoding.BASE64)
        .withPrefix("v1,").withTimestampHeader("X-Ts").withDeliveryIdHeader("X-Id").withDeliveryIdField("data/id"));
    SCHEMES.put("/hooks/github", WebhookSignature.github(SECRET));
    SCHEMES.put("/hooks/stripe", WebhookSignature.stripe(SECRET));
    SCHEMES.put("/hooks/slack", WebhookSignature.slack(SECRET));
    SCHEMES.put("/hooks/standard", WebhookSignature.standard(STANDARD_SECRET));
  }

  private static final List<String> PATHS = List.copyOf(SCHEMES.keySet());
  private static final List<String> HEADER_NAMES = List.of("Content-Type", "X-Signature", "X-Ts", "X-Id",
      "X-Hub-Signature-256", "Stripe-Signature", "X-Slack-Signature", "X-Slack-Request-Timestamp", "webhook-id",
      "webhook-timestamp", "webhook-signature", "X-GitHub-Delivery");
  private static final AtomicLong SUBMITTED = new AtomicLong();

  private static final WebhookHandler HANDLER = new DefaultWebhookHandler(
      SCHEMES.entrySet().stream().map(e -> new DefaultWebhookHandler.Binding(e.getKey().substring(7),
          new WebhookTrigger(e.getKey(), e.getValue(), 2048, Duration.ofMinutes(30), 16))).toList(),
      WebhookHandlerFuzzTest::submit, new InMemoryReplayCache(), Clock.fixed(NOW, ZoneOffset.UTC),
      new SimpleMeterRegistry(), JSON, () -> true);

  /** Runs are "started", "queued", or the engine refuses, in turn. */
  private static DefaultRunHandle submit(String pipeline, WebhookTrigger webhook, JsonNode parameters, int bodyBytes) {
    String trigger = webhook.describe();
    long n = SUBMITTED.incrementAndGet();
    if (n % 5 == 0) {
      throw new IllegalStateException("the engine refuses run " + n);
    }
    DefaultRunHandle handle = new DefaultRunHandle(UUID.randomUUID().toString(), pipeline, trigger, NOW, h -> false);
    if (n % 2 == 0) {
      handle.running();
    }
    return handle;
  }

  @FuzzTest(maxDuration = "30s")
  void everyRequestGetsADocumentedAnswer(FuzzedDataProvider data) throws Exception {
    String method = data.consumeBoolean() ? "POST" : data.consumeString(10);
    if (method.isEmpty()) {
      method = "POST";
    }
    String path = data.consumeBoolean() ? data.pickValue(PATHS) : data.consumeString(80);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    int count = data.consumeInt(0, 6);
    for (int i = 0; i < count; i++) {
      String name = data.consumeBoolean() ? data.pickValue(HEADER_NAMES) : data.consumeString(30);
      headers.put(name, List.of(data.consumeString(120)));
    }
    boolean sign = data.consumeBoolean();
    long timestamp = data.consumeBoolean() ? NOW.getEpochSecond() + data.consumeInt(-400, 400) : data.consumeLong();
    String id = data.consumeString(40);
    byte[] body = data.consumeRemainingAsBytes();
    WebhookSignature scheme = SCHEMES.get(path);
    if (sign && scheme != null && scheme.scheme() != WebhookSignature.Scheme.NONE) {
      headers.putAll(sign(scheme, timestamp, id, body));
    }

    WebhookRequest request;
    try {
      request = new WebhookRequest(method, path, headers, body);
    } catch (IllegalArgumentException | NullPointerException refusedByTheRequestItself) {
      return;
    }
    WebhookResponse response = HANDLER.handle(request);

    if (!DOCUMENTED.contains(response.status())) {
      throw new AssertionError("undocumented status " + response.status() + ": " + response.body());
    }
    if (!EXTRA_HEADERS.containsAll(response.headers().keySet())) {
      throw new AssertionError("undocumented headers " + response.headers().keySet());
    }
    JsonNode answer = JSON.readTree(response.body());
    if (answer == null || !answer.isObject()) {
      throw new AssertionError("the body is not a JSON object: " + response.body());
    }
    // An answer may quote the request (abbreviated), so the secret only counts when the request did not carry it.
    for (String secret : List.of(SECRET, STANDARD_SECRET)) {
      boolean sent = new String(body, StandardCharsets.UTF_8).contains(secret) || path.contains(secret)
          || method.contains(secret) || headers.toString().contains(secret);
      if (!sent && response.body().contains(secret)) {
        throw new AssertionError("the answer shows the secret: " + response.body());
      }
    }
    if (response.status() == 503 && !response.headers().containsKey("Retry-After")) {
      throw new AssertionError("503 without Retry-After: " + response.body());
    }
  }

  /** The headers a sender that knows the secret would send. */
  private static Map<String, List<String>> sign(WebhookSignature s, long timestamp, String id, byte[] body) {
    String ts = Long.toString(timestamp);
    return switch (s.scheme()) {
      case HMAC_SHA256 -> s.timestampHeader().isPresent()
          ? Map.of("X-Signature", List.of("v1," + Base64.getEncoder().encodeToString(s.mac(concat(ts + ".", body)))),
              "X-Ts", List.of(ts), "X-Id", List.of(id))
          : Map.of("X-Signature", List.of(HexFormat.of().formatHex(s.mac(body))), "X-Id", List.of(id));
      case GITHUB -> Map.of("X-Hub-Signature-256", List.of("sha256=" + HexFormat.of().formatHex(s.mac(body))));
      case STRIPE -> Map.of("Stripe-Signature",
          List.of("t=" + ts + ",v1=" + HexFormat.of().formatHex(s.mac(concat(ts + ".", body)))));
      case SLACK -> Map.of("X-Slack-Signature", List.of("v0=" + HexFormat.of().formatHex(s.mac(concat("v0:" + ts + ":", body)))),
          "X-Slack-Request-Timestamp", List.of(ts));
      case STANDARD -> Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(ts), "webhook-signature",
          List.of("v1," + Base64.getEncoder().encodeToString(s.mac(concat(id + "." + ts + ".", body)))));
      default -> Map.of();
    };
  }

  private static byte[] concat(String head, byte[] body) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[h.length + body.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(body, 0, out, h.length, body.length);
    return out;
  }
}
