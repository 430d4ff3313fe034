package dev.sluice.destinations.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.destinations.webhook.FlakyWebhookServer.Fate;
import dev.sluice.destinations.webhook.FlakyWebhookServer.Receipt;
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
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 records through the webhook destination to a server that fails half of all requests in
 * the ways real endpoints do. Nothing may be lost; records are received more than once (lost
 * responses are retried), but every delivery of a record carries the same idempotency key, so a
 * receiver that upserts by it keeps exactly one row per record. The server logs every item of every
 * request, so duplicates are counted, not hidden by the sink. Waits (backoff, Retry-After, the open
 * breaker) run on fake time; only the request timeouts take real time.
 */
@Timeout(120)
class WebhookFaultInjectionTest {
  private static final int RECORDS = 10_000;

  @Test
  void everyRecordIsDeliveredOrDeadLetteredAndEveryDuplicateCarriesItsIdempotencyKey() throws Exception {
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

      // Every delivery received, counted: records arrived more than once ...
      List<Receipt> receipts = server.receipts;
      Map<String, Long> receivedPerRecord = receipts.stream()
          .collect(Collectors.groupingBy(Receipt::key, Collectors.counting()));
      assertThat(receipts.size()).as("deliveries received, retries included")
          .isGreaterThan(receivedPerRecord.size());
      assertThat(receivedPerRecord.values()).as("some records were received several times").anyMatch(n -> n > 1);
      // ... but each time under its one idempotency key, so an upsert keeps one row per record.
      assertThat(receipts).as("every delivery of a record carries the record's idempotency key")
          .allSatisfy(r -> assertThat(r.idempotencyKey()).isEqualTo(IdempotencyKeys.of("flaky", r.key())));
      Map<String, Set<String>> keysPerIdempotencyKey = receipts.stream().collect(Collectors.groupingBy(
          Receipt::idempotencyKey, Collectors.mapping(Receipt::key, Collectors.toSet())));
      assertThat(keysPerIdempotencyKey.values()).as("no two records share an idempotency key")
          .allSatisfy(keys -> assertThat(keys).hasSize(1));
      assertThat(receipts.stream().collect(Collectors.groupingBy(Receipt::request, Collectors.counting())))
          .as("no request carries a record twice")
          .allSatisfy((request, items) -> assertThat(receipts.stream().filter(r -> r.request() == request)
              .map(Receipt::key).distinct().count()).isEqualTo(items));
      long storedMoreThanOnce = server.stores.values().stream().filter(n -> n.get() > 1).count();
      assertThat(storedMoreThanOnce).as("records stored twice (lost responses retried) all collapse into one row")
          .isPositive();
      assertThat(server.sink).hasSameSizeAs(delivered);
      // A record counts as delivered only after a 200 for it.
      Set<String> answeredOk = receipts.stream().filter(r -> r.fate() == Fate.OK).map(Receipt::key)
          .collect(Collectors.toSet());
      assertThat(report.delivered()).as("acknowledged records were all answered 200")
          .isLessThanOrEqualTo(answeredOk.size());

      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.destinations().get("partner").retries()).isPositive();
      assertThat(store.checkpoints().load("flaky")).contains(Checkpoint.of("next", RECORDS + 1));
      assertThat(time.waits).as("Retry-After: 2 was honoured (backoff never exceeds 1 s)")
          .contains(Duration.ofSeconds(2));
    }
  }
}
