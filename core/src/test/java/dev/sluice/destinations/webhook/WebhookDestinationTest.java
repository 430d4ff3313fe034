package dev.sluice.destinations.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.destinations.webhook.WebhookReceiver.Answer;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.record.Batch;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginKind;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.ListConnector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class WebhookDestinationTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-05-04T10:00:00Z");
  private final WebhookReceiver receiver;
  private WebhookDestination destination;

  WebhookDestinationTest() throws Exception {
    receiver = new WebhookReceiver();
  }

  @AfterEach
  void close() {
    if (destination != null) {
      destination.close();
    }
    receiver.close();
  }

  private WebhookDestination webhook(URI url, WebhookDestination.Mode mode, boolean envelope) {
    return webhook(url, mode, envelope, Map.of(), null, Duration.ofSeconds(5));
  }

  private WebhookDestination webhook(URI url, WebhookDestination.Mode mode, boolean envelope,
      Map<String, String> headers, String secret, Duration requestTimeout) {
    destination = WebhookDestination.builder("hook", url).mode(mode).envelope(envelope).headers(headers)
        .signing(secret == null ? WebhookDestination.Signing.NONE : WebhookDestination.Signing.HMAC_SHA256, secret)
        .signatureHeader("X-Signature").connectTimeout(Duration.ofSeconds(2)).requestTimeout(requestTimeout)
        .allowedTargets(List.of("127.0.0.1")) // the receiver runs on loopback, which the SSRF guard refuses by default
        .mapper(MAPPER).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    return destination;
  }

  private static Batch batch(int n) {
    return Batch.of("orders", "hook", "run-1",
        IntStream.rangeClosed(1, n).mapToObj(i -> Record.of("k" + i, ListConnector.order(i))).toList());
  }

  @Test
  void batchModePostsOneArrayOfEnvelopesCarryingEachRecordsIdempotencyKey() throws Exception {
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.BATCH, true);
    Batch batch = batch(3);

    assertThat(hook.deliver(batch).isSuccess()).isTrue();
    assertThat(hook.deliver(batch.nextAttempt()).isSuccess()).isTrue();
    assertThat(hook.deliver(batch(2)).isSuccess()).isTrue();

    assertThat(receiver.requests).hasSize(3);
    WebhookReceiver.Received first = receiver.requests.get(0);
    assertThat(first.header("Content-Type")).isEqualTo("application/json");
    assertThat(first.json().isArray()).isTrue();
    assertThat(first.json()).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode item = first.json().get(i);
      assertThat(item.get("key").asText()).isEqualTo("k" + (i + 1));
      assertThat(item.get("idempotencyKey").asText()).isEqualTo(IdempotencyKeys.of("orders", "k" + (i + 1)));
      assertThat(item.get("data").toString()).isEqualTo(ListConnector.order(i + 1).toString());
    }
    assertThat(receiver.requests.get(1).header("Idempotency-Key"))
        .as("a retry of the same batch carries the same key").isEqualTo(first.header("Idempotency-Key"));
    assertThat(receiver.requests.get(2).header("Idempotency-Key"))
        .as("other records, other key").isNotEqualTo(first.header("Idempotency-Key"));
  }

  @Test
  void recordModeSendsEachRecordsBareDataWithItsIdempotencyKey() throws Exception {
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.RECORD, false);

    assertThat(hook.deliver(batch(3)).isSuccess()).isTrue();

    assertThat(receiver.requests).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(receiver.requests.get(i).json().toString()).isEqualTo(ListConnector.order(i + 1).toString());
      assertThat(receiver.requests.get(i).header("Idempotency-Key")).isEqualTo(IdempotencyKeys.of("orders", "k" + (i + 1)));
    }
  }

  @Test
  void bodiesAreSignedWithHmacSha256AndExtraHeadersAreSent() throws Exception {
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.BATCH, true,
        Map.of("Authorization", "Bearer abc"), "shared-secret", Duration.ofSeconds(5));

    hook.deliver(batch(2));

    WebhookReceiver.Received r = receiver.requests.get(0);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("shared-secret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    assertThat(r.header("X-Signature")).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(r.body())));
    assertThat(r.header("Authorization")).isEqualTo("Bearer abc");
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504})
  void timeoutsThrottlingAndServerErrorsAreRetryable(int status) {
    receiver.respond(r -> Answer.status(status, "{\"error\":\"try later\"}"));
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.BATCH, true);

    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(2)));

    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("destination 'hook'").contains("HTTP " + status).contains("try later");
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 409, 422, 301})
  void otherClientErrorsAndRedirectsArePermanent(int status) {
    receiver.respond(r -> Answer.status(status, "{\"error\":\"bad field\"}"));
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.BATCH, true);

    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(2)));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("HTTP " + status);
    if (status == 301) {
      assertThat(e.getMessage()).contains("redirects are not followed");
    }
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.BATCH, true);
    receiver.respond(r -> new Answer(429, Map.of("Retry-After", "120"), "", 0));
    assertThat(catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(1))).retryAfter())
        .contains(Duration.ofSeconds(120));

    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
    receiver.respond(r -> new Answer(503, Map.of("Retry-After", date), "", 0));
    assertThat(catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(1))).retryAfter())
        .contains(Duration.ofSeconds(90));
  }

  @Test
  void refusedConnectionsAndTimeoutsAreRetryable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    WebhookDestination refused = webhook(URI.create("http://127.0.0.1:" + closedPort + "/in"),
        WebhookDestination.Mode.BATCH, true);
    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> refused.deliver(batch(1)));
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("POST http://127.0.0.1:" + closedPort + " failed");
    refused.close();

    receiver.respond(r -> new Answer(200, Map.of(), "", 2_000));
    WebhookDestination slow = webhook(receiver.url("/in"), WebhookDestination.Mode.BATCH, true, Map.of(), null,
        Duration.ofMillis(200));
    DeliveryException timeout = catchThrowableOfType(DeliveryException.class, () -> slow.deliver(batch(1)));
    assertThat(timeout.isRetryable()).isTrue();
    assertThat(timeout.getMessage()).contains("no complete answer within requestTimeout PT0.2S");
  }

  // --- SSRF guard (defaults refuse loopback; nothing here connects anywhere but loopback) ------

  @Test
  void byDefaultALoopbackTargetIsRefusedBeforeAnyConnection() {
    // Regression: every address was contacted, including loopback, private and metadata addresses.
    destination = WebhookDestination.builder("hook", receiver.url("/in")).mapper(MAPPER).build();

    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> destination.deliver(batch(1)));

    assertThat(e.isRetryable()).as("a refused target is a configuration problem").isFalse();
    assertThat(e.getMessage()).contains("destination 'hook'").contains("127.0.0.1, a loopback address")
        .contains("allowedTargets");
    assertThat(receiver.requests).isEmpty();
  }

  @Test
  void aHostNameResolvingToAPrivateAddressIsRefused() {
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    destination = WebhookDestination.builder("hook", URI.create("https://partner.example.test/in")).mapper(MAPPER)
        .resolver(host -> {
          asked.add(host);
          return new java.net.InetAddress[] {java.net.InetAddress.getByName("10.0.0.7")};
        }).build();

    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> destination.deliver(batch(1)));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("partner.example.test resolves to 10.0.0.7, a private (RFC 1918) address");
    assertThat(asked).containsExactly("partner.example.test");
  }

  @Test
  void theConnectionGoesToTheCheckedAddressWhileHostNamesTheHost() throws Exception {
    // partner.example.test exists in no DNS: the request can only arrive through the guard's answer.
    int port = receiver.url("/").getPort();
    List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    destination = WebhookDestination.builder("hook", URI.create("http://partner.example.test:" + port + "/in"))
        .mapper(MAPPER).allowedTargets(List.of("127.0.0.1/32"))
        .resolver(host -> {
          asked.add(host);
          return new java.net.InetAddress[] {java.net.InetAddress.getByName("127.0.0.1")};
        }).build();

    assertThat(destination.deliver(batch(1)).isSuccess()).isTrue();

    assertThat(receiver.requests).singleElement()
        .satisfies(r -> assertThat(r.header("Host")).isEqualTo("partner.example.test:" + port));
    assertThat(asked).containsExactly("partner.example.test");
  }

  @Test
  void everyNewConnectionIsCheckedAgainSoDnsRebindingIsRefused() throws Exception {
    // The first answer is allowed; then DNS "rebinds" the name to a private address. The receiver
    // closes each connection, so the second delivery must connect (and resolve) again.
    receiver.respond(r -> new Answer(200, Map.of("Connection", "close"), "", 0));
    int port = receiver.url("/").getPort();
    java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    destination = WebhookDestination.builder("hook", URI.create("http://rebind.example.test:" + port + "/in"))
        .mapper(MAPPER).allowedTargets(List.of("127.0.0.1"))
        .resolver(host -> new java.net.InetAddress[] {java.net.InetAddress.getByName(
            lookups.incrementAndGet() == 1 ? "127.0.0.1" : "192.168.7.7")}).build();

    assertThat(destination.deliver(batch(1)).isSuccess()).isTrue();
    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> destination.deliver(batch(2)));

    assertThat(e.getMessage()).contains("192.168.7.7");
    assertThat(lookups.get()).isEqualTo(2);
    assertThat(receiver.requests).hasSize(1);
  }

  @Test
  void redirectsAreNeverFollowedNotEvenToAnAllowedTarget() {
    receiver.respond(r -> new Answer(307, Map.of("Location", "http://169.254.169.254/latest/meta-data/"), "", 0));
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.BATCH, true);
    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(1)));
    assertThat(e.getMessage()).contains("HTTP 307").contains("redirects are not followed");
    assertThat(receiver.requests).hasSize(1);
  }

  // --- deadlines and bounded reads ----------------------------------------------------------

  @Test
  void aServerThatTricklesItsAnswerCannotHoldADelivery() throws Exception {
    // Regression: the JDK client's timeout ended with the headers; the body was drained without a
    // deadline, so a byte every few milliseconds held the delivery (and the run) forever.
    try (TricklingServer server = new TricklingServer(500, 100_000_000, 20)) {
      WebhookDestination hook = webhook(server.url(), WebhookDestination.Mode.BATCH, true, Map.of(), null,
          Duration.ofMillis(500));
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(1)));
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("no complete answer within requestTimeout PT0.5S");
    }
  }

  @Test
  void aHugeErrorBodyIsNotReadToItsEnd() throws Exception {
    // Regression: the whole error body was drained to reuse the connection, however large.
    int size = 64 * 1024 * 1024;
    try (TricklingServer server = new TricklingServer(500, size, 0)) {
      WebhookDestination hook = webhook(server.url(), WebhookDestination.Mode.BATCH, true, Map.of(), null,
          Duration.ofSeconds(20));
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(1)));
      assertThat(e.getMessage()).contains("HTTP 500");
      server.awaitDone();
      assertThat(server.written()).as("the server could not write it all").isLessThan(size);
    }
  }

  @Test
  void recordModeReportsEachRecordsOutcome() throws Exception {
    receiver.respond(r -> switch (r.json().get("id").asInt()) {
      case 2 -> Answer.status(422, "{\"error\":\"invalid email\"}");
      case 4 -> Answer.status(500, "oops");
      default -> Answer.ok();
    });
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.RECORD, false);

    DeliveryResult result = hook.deliver(batch(5));

    assertThat(result.failures()).containsOnlyKeys(1, 3);
    assertThat(result.failures().get(1).retryable()).isFalse();
    assertThat(result.failures().get(1).reason()).contains("HTTP 422").contains("invalid email");
    assertThat(result.failures().get(3).retryable()).isTrue();
    assertThat(receiver.accepted).extracting(r -> r.json().get("id").asInt()).containsExactly(1, 3, 5);
  }

  @Test
  void recordModeStopsSendingAfterThrottlingAndReportsTheRestRetryable() throws Exception {
    receiver.respond(r -> r.json().get("id").asInt() == 2
        ? new Answer(429, Map.of("Retry-After", "30"), "", 0) : Answer.ok());
    WebhookDestination hook = webhook(receiver.url("/in"), WebhookDestination.Mode.RECORD, false);

    DeliveryResult result = hook.deliver(batch(4));

    assertThat(receiver.requests).hasSize(2);
    assertThat(result.failures()).containsOnlyKeys(1, 2, 3);
    assertThat(result.failures().values()).allSatisfy(f -> {
      assertThat(f.retryable()).isTrue();
      assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    });
    assertThat(result.failures().get(2).reason()).startsWith("not sent after an earlier failure in the batch");
  }

  @Test
  void recordModeFailsTheWholeBatchWhenTheEndpointAnswersNothing() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    WebhookDestination hook = webhook(URI.create("http://127.0.0.1:" + closedPort + "/in"),
        WebhookDestination.Mode.RECORD, false);
    assertThatThrownBy(() -> hook.deliver(batch(3)))
        .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.isRetryable()).isTrue());
  }

  @Test
  void secretsNeverAppearInMessages() {
    receiver.respond(r -> Answer.status(400, "nope"));
    WebhookDestination hook = webhook(receiver.url("/hooks/PATH-TOKEN?sig=QUERY-TOKEN"),
        WebhookDestination.Mode.BATCH, true, Map.of("Authorization", "Bearer HEADER-TOKEN"), "SIGNING-TOKEN",
        Duration.ofSeconds(5));

    DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> hook.deliver(batch(1)));

    assertThat(receiver.requests.get(0).path()).contains("PATH-TOKEN"); // it was really used
    for (String text : List.of(e.getMessage(), hook.toString())) {
      assertThat(text).doesNotContain("PATH-TOKEN", "QUERY-TOKEN", "HEADER-TOKEN", "SIGNING-TOKEN");
    }
  }

  @Test
  void theProviderValidatesOptionsWithoutEchoingTheUrl() {
    WebhookDestinationProvider provider = new WebhookDestinationProvider();
    assertThat(provider.configSchema().get("required").toString()).isEqualTo("[\"url\"]");

    assertThatThrownBy(() -> create(provider, Map.of("url", "ftp://example.com/SECRET")))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("destination 'hook' (type webhook): option 'url' must be an absolute http or https URL")
        .hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> create(provider, Map.of("url", "http://exa mple/SECRET")))
        .hasMessageContaining("option 'url' is not a valid URL").hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> create(provider, Map.of("url", "http://localhost/", "headers", "x")))
        .hasMessageContaining("option 'headers' must be an object");
    assertThatThrownBy(() -> create(provider, Map.of("url", "http://localhost/", "headers", Map.of("Host", "SECRET"))))
        .hasMessageContaining("header 'Host' is not allowed").hasMessageNotContaining("SECRET");
    assertThatThrownBy(() -> create(provider, Map.of("url", "http://localhost/", "requestTimeout", "0s")))
        .hasMessageContaining("option 'requestTimeout' must be a positive duration");
    assertThatThrownBy(() -> create(provider, Map.of("url", "http://localhost/", "mode", "stream")))
        .hasMessageContaining("option 'mode' must be one of batch, record");

    Map<String, Object> ok = new LinkedHashMap<>();
    ok.put("url", receiver.url("/in").toString());
    ok.put("allowedTargets", List.of("127.0.0.1"));
    ok.put("mode", "record");
    ok.put("signingSecret", "s");
    ok.put("requestTimeout", "5s");
    destination = (WebhookDestination) create(provider, ok);
    assertThat(destination.toString()).contains("RECORD");
  }

  private static dev.sluice.spi.Destination create(WebhookDestinationProvider provider, Map<String, ?> options) {
    return provider.create(PluginConfig.of("destination 'hook' (type webhook)", options),
        new DefaultPluginContext("hook", PluginKind.DESTINATION, Clock.systemUTC(), new SimpleMeterRegistry(),
            MAPPER, new InMemoryStore()));
  }
}
