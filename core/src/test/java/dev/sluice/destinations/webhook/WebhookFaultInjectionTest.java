package dev.sluice.destinations.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.destinations.webhook.FlakyWebhookServer.Fate;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.FakeTime;
import dev.sluice.testing.ListConnector;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 records through the webhook destination to a server that fails half of all requests in
 * the ways real endpoints do. Nothing may be lost and the receiver's upsert sink may hold no
 * duplicates. Waits (backoff, Retry-After, the open breaker) run on fake time; only the request
 * timeouts take real time.
 */
@Timeout(120)
class WebhookFaultInjectionTest {
  private static final int RECORDS = 10_000;

  @Test
  void everyRecordIsDeliveredOrDeadLetteredAndTheUpsertSinkHasNoDuplicates() throws Exception {
    InMemoryStore store = new InMemoryStore();
    FakeTime time = new FakeTime();
    RunReport report;
    try (FlakyWebhookServer server = new FlakyWebhookServer(7, 1_000);
        Sluice sluice = Sluice.builder().store(store).clock(time).sleeper(time)
            .destination("partner", "webhook",
                Map.of("url", server.url().toString(), "requestTimeout", "300ms", "connectTimeout", "1s",
                    "allowedTargets", List.of("127.0.0.1")),
                d -> d.batchSize(50).linger(Duration.ofMillis(5)).concurrency(4).maxAttempts(4)
                    .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(1))
                    .maxElapsedTime(Duration.ofHours(1)).circuitBreaker(5, Duration.ofSeconds(7)))
            .pipeline("flaky", p -> p.source(ListConnector.of(RECORDS, 500)).route(r -> r.to("partner")))
            .build()) {
      report = sluice.run("flaky");

      // The server really misbehaved in every way it can.
      assertThat(server.fates).allSatisfy((fate, n) -> assertThat(n.get()).as(fate.name()).isPositive());
      assertThat(server.fates.get(Fate.SERVER_ERROR).get()).isGreaterThan(server.fates.get(Fate.TIMEOUT).get());

      Set<String> source = LongStream.rangeClosed(1, RECORDS).mapToObj(i -> "k" + i).collect(Collectors.toSet());
      Set<String> delivered = new HashSet<>(server.sink.values());
      Set<String> deadLettered = store.deadLetters().list(DeadLetterQuery.of("flaky", "partner")).stream()
          .map(DeadLetter::recordKey).collect(Collectors.toSet());
      Set<String> union = new HashSet<>(delivered);
      union.addAll(deadLettered);

      assertThat(union).as("delivered ∪ dead-lettered == source").isEqualTo(source);
      assertThat(deadLettered).as("some batches exhausted their attempts").isNotEmpty();
      assertThat(report.deadLettered()).isEqualTo(deadLettered.size());
      assertThat(report.delivered() + report.deadLettered()).as("each record settled exactly once").isEqualTo(RECORDS);
      assertThat(report.delivered()).as("acknowledged records all reached the sink")
          .isLessThanOrEqualTo(delivered.size());

      // Upserts by idempotency key: one row per record, even though many were received twice.
      assertThat(server.sink).hasSameSizeAs(delivered);
      server.sink.forEach((idempotencyKey, key) ->
          assertThat(idempotencyKey).isEqualTo(IdempotencyKeys.of("flaky", key)));
      long stored = server.stores.values().stream().mapToLong(AtomicLong::get).sum();
      assertThat(stored).as("retries after lost responses re-sent records the sink already had")
          .isGreaterThan(server.sink.size());

      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.destinations().get("partner").retries()).isPositive();
      assertThat(store.checkpoints().load("flaky")).contains(Checkpoint.of("next", RECORDS + 1));
      assertThat(time.waits).as("Retry-After: 2 was honoured (backoff never exceeds 1 s)")
          .contains(Duration.ofSeconds(2));
    }
  }
}
