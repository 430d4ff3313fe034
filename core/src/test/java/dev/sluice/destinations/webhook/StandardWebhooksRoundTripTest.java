package dev.sluice.destinations.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.Sluice;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.schedule.ManualTicker;
import dev.sluice.schedule.WebhookRequest;
import dev.sluice.schedule.WebhookResponse;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.RecordingDestination;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code webhook} destination signing with Standard Webhooks, received by a webhook trigger
 * verifying {@link WebhookSignature#standard}, over real HTTP on loopback: delivered once, and a
 * retry or a captured replay starts nothing.
 */
@Timeout(60)
class StandardWebhooksRoundTripTest {
  private static final Instant NOW = Instant.parse("2026-05-04T10:00:00Z");
  private static final String SECRET =
      "whsec_" + Base64.getEncoder().encodeToString("round-trip-key-0123456789".getBytes(StandardCharsets.UTF_8));

  private final InMemoryStore store = new InMemoryStore();
  private final RecordingDestination inbox = new RecordingDestination();
  private final List<WebhookRequest> captured = new CopyOnWriteArrayList<>();
  private Sluice receiver;
  private HttpServer server;
  private WebhookDestination sender;

  @AfterEach
  void close() {
    if (sender != null) {
      sender.close();
    }
    if (server != null) {
      server.stop(0);
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  private URI startReceiver() throws Exception {
    receiver = Sluice.builder().store(store).sleeper(new FakeSleeper()).ticker(new ManualTicker(NOW))
        .destination("inbox", inbox)
        .pipeline("inbound", p -> p.source("webhook", Map.of("key", "id")).route(r -> r.to("inbox"))
            .trigger(WebhookTrigger.of("/hooks/in", WebhookSignature.standard(SECRET)))
            .overlap(OverlapPolicy.QUEUE)) // the second record arrives while the first run may still go on
        .build().start();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        WebhookRequest request = new WebhookRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes());
        captured.add(request);
        WebhookResponse response = receiver.webhooks().handle(request);
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] out = response.bodyBytes();
        exchange.sendResponseHeaders(response.status(), out.length);
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/in");
  }

  private static Batch batch() {
    ObjectMapper m = new ObjectMapper();
    return Batch.of("orders", "partner", "run-1", List.of(
        Record.of("o-1", m.createObjectNode().put("id", "o-1").put("amount", 10)),
        Record.of("o-2", m.createObjectNode().put("id", "o-2").put("amount", 20))));
  }

  @Test
  void signedByTheDestinationVerifiedByTheTriggerAndReplaysStartNothing() throws Exception {
    URI url = startReceiver();
    sender = WebhookDestination.builder("partner", url).mode(WebhookDestination.Mode.RECORD).envelope(false)
        .signing(WebhookDestination.Signing.STANDARD, SECRET).allowedTargets(List.of("127.0.0.1"))
        .clock(Clock.fixed(NOW.plusSeconds(3), ZoneOffset.UTC)).build();

    assertThat(sender.deliver(batch()).isSuccess()).isTrue();
    Eventually.await("both runs delivered", () -> inbox.receivedKeys().size() == 2);
    assertThat(inbox.receivedKeys()).containsExactlyInAnyOrder("o-1", "o-2");
    WebhookRequest first = captured.get(0);
    assertThat(first.header("webhook-id")).isNotBlank();
    assertThat(first.header("webhook-timestamp")).isEqualTo(Long.toString(NOW.plusSeconds(3).getEpochSecond()));
    assertThat(first.header("webhook-signature")).startsWith("v1,");

    // The destination retries the batch (same message ids, re-signed): accepted as duplicates.
    sender.close();
    sender = WebhookDestination.builder("partner", url).mode(WebhookDestination.Mode.RECORD).envelope(false)
        .signing(WebhookDestination.Signing.STANDARD, SECRET).allowedTargets(List.of("127.0.0.1"))
        .clock(Clock.fixed(NOW.plusSeconds(40), ZoneOffset.UTC)).build();
    assertThat(sender.deliver(batch().nextAttempt()).isSuccess()).isTrue();
    assertThat(captured.get(2).header("webhook-id")).isEqualTo(first.header("webhook-id"));
    assertThat(captured.get(2).header("webhook-signature")).isNotEqualTo(first.header("webhook-signature"));

    // A captured request sent again by someone else: refused as a duplicate too.
    WebhookResponse replay = receiver.webhooks().handle(first);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.body()).contains("duplicate");
    // The two deliveries took one or two runs (the second may join the first); no more since.
    assertThat(store.runs().list(null, 10).stream().mapToLong(r -> r.recordsRead()).sum()).isEqualTo(2);
    assertThat(inbox.receivedKeys()).hasSize(2);
  }
}
