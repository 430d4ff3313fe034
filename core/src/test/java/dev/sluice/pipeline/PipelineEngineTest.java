package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.InvalidDefinitionException;
import dev.sluice.Sluice;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.routing.RoutingException;
import dev.sluice.spi.Connector;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunRecord;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PipelineEngineTest {
  private final InMemoryStore store = new InMemoryStore();
  private final FakeSleeper sleeper = new FakeSleeper();
  private final RecordingDestination big = new RecordingDestination();
  private final RecordingDestination all = new RecordingDestination();

  private Sluice.Builder builder() {
    return Sluice.builder().store(store).sleeper(sleeper).destination("big", big).destination("all", all);
  }

  private static List<String> keys(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> "k" + i).toList();
  }

  @Test
  void routesByRulesAndFansOutToEveryMatchingDestination() {
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(100, 10))
            .route(r -> r.name("big").when("$.amount > 900").to("big"))
            .route(r -> r.name("everything").to("all")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.recordsRead()).isEqualTo(100);
      assertThat(report.ruleMatches()).containsExactly(Map.entry("big", 10L), Map.entry("everything", 100L));
      assertThat(big.receivedKeys()).containsExactlyElementsOf(keys(91, 100));
      assertThat(all.receivedKeys()).containsExactlyElementsOf(keys(1, 100));
      assertThat(report.destinations().get("big").delivered()).isEqualTo(10);
      assertThat(report.destinations().get("all").delivered()).isEqualTo(100);
      assertThat(report.checkpoint()).contains(Checkpoint.of("next", 101));
      assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 101));
      assertThat(big.finishedRuns).containsExactly(report.runId() + ":true");
      RunRecord history = store.runs().find(report.runId()).orElseThrow();
      assertThat(history.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(history.recordsDelivered()).isEqualTo(110);
      assertThat(history.details().path("ruleMatches").path("big").asLong()).isEqualTo(10);
    }
  }

  @Test
  void lowerPriorityRunsFirstAndStopEndsMatching() {
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(30, 10))
            .route(r -> r.name("catch-all").priority(10).to("all"))
            .route(r -> r.name("german").priority(1).when("$.country == 'DE'").to("big").stop()))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.ruleMatches().keySet()).containsExactly("german", "catch-all");
      assertThat(report.ruleMatches()).containsEntry("german", 10L).containsEntry("catch-all", 20L);
      assertThat(big.received).allSatisfy(r -> assertThat(r.data().get("country").asText()).isEqualTo("DE"));
      assertThat(all.received).noneSatisfy(r -> assertThat(r.data().get("country").asText()).isEqualTo("DE"));
    }
  }

  @Test
  void unmatchedRecordsAreCountedDeadLetteredOrSentOtherwise() {
    try (Sluice sluice = builder()
        .pipeline("drop", p -> p.source(ListConnector.of(10, 5)).route(r -> r.when("$.amount > 50").to("big")))
        .pipeline("park", p -> p.source(ListConnector.of(10, 5)).unmatched(UnmatchedPolicy.DEAD_LETTER)
            .route(r -> r.when("$.amount > 50").to("big")))
        .pipeline("otherwise", p -> p.source(ListConnector.of(10, 5)).otherwise("all")
            .route(r -> r.when("$.amount > 50").to("big")))
        .build()) {
      assertThat(sluice.run("drop").recordsUnmatched()).isEqualTo(5);
      assertThat(store.deadLetters().count(DeadLetterQuery.of("drop", null))).isZero();

      assertThat(sluice.run("park").recordsUnmatched()).isEqualTo(5);
      assertThat(store.deadLetters().list(DeadLetterQuery.of("park", DeadLetter.ROUTER)))
          .extracting(DeadLetter::recordKey).containsExactlyElementsOf(keys(1, 5));

      RunReport otherwise = sluice.run("otherwise");
      assertThat(otherwise.recordsUnmatched()).isZero();
      assertThat(all.receivedKeys()).containsExactlyElementsOf(keys(1, 5));
    }
  }

  @Test
  void aCheckpointIsCommittedOnlyAfterEveryEarlierRecordWasAcknowledged() throws Exception {
    Semaphore gate = all.gate();
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).destination("all", all)
        .pipeline("orders", p -> p.source(ListConnector.of(50, 10)).route(r -> r.to("all")))
        .build()) {
      CommitLooks looks = CommitLooks.on(sluice, "orders");
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
      // All five checkpoints were routed and the committer looked at them, with nothing acknowledged.
      looks.await("the committer looked after the last checkpoint", l -> l.checkpointsRouted() == 5);
      // The batch is cut once its linger expires, which may be after that look; until the gate
      // opens nothing can be acknowledged, so any commit up to here would be premature.
      Eventually.await("the only batch waits at the gate", gate::hasQueuedThreads);
      assertThat(looks.committed()).as("nothing acknowledged yet: nothing committed").isEmpty();
      assertThat(store.checkpoints().load("orders")).isEmpty();

      gate.release(1); // the 50 records fit in one batch (size 500) once the linger expired
      RunReport report = run.get(30, TimeUnit.SECONDS);
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 51));
    }
  }

  @Test
  void checkpointsFollowAcknowledgementsBatchByBatch() throws Exception {
    Semaphore gate = all.gate();
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper)
        .destination(new DestinationDefinition("slow", PluginSpec.instance(all),
            // A long linger: every batch is cut full, ten records each.
            dev.sluice.delivery.DeliverySettings.builder().batchSize(10).linger(Duration.ofMinutes(1)).build()))
        .pipeline("orders", p -> p.source(ListConnector.of(50, 10)).route(r -> r.to("slow")))
        .build()) {
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
      for (int acked = 1; acked <= 4; acked++) {
        gate.release(1);
        long expectedNext = acked * 10L + 1;
        Eventually.await("checkpoint next=" + expectedNext, () -> store.checkpoints().load("orders")
            .equals(java.util.Optional.of(Checkpoint.of("next", expectedNext))));
      }
      gate.release(1);
      assertThat(run.get(30, TimeUnit.SECONDS).checkpoint()).contains(Checkpoint.of("next", 51));
    }
  }

  @Test
  void aSlowDestinationHoldsTheSourceBackInsteadOfBufferingEverything() throws Exception {
    RecordingDestination slow = new RecordingDestination().delayPerBatch(TimeUnit.MILLISECONDS.toNanos(1));
    AtomicLong emitted = new AtomicLong();
    AtomicLong maxAhead = new AtomicLong();
    // Measured at every emit, where the distance grows: exact, not sampled.
    Connector source = (ctx, from, out) -> {
      for (long i = 1; i <= 20_000; i++) {
        maxAhead.accumulateAndGet(i - slow.received.size(), Math::max);
        out.emit(Record.of("k" + i, ListConnector.order(i)));
        emitted.set(i);
      }
      out.checkpoint(Checkpoint.of("next", 20_001));
    };
    var settings = dev.sluice.delivery.DeliverySettings.builder().batchSize(100).linger(Duration.ZERO).build();
    try (Sluice sluice = Sluice.builder().store(store)
        .destination(new DestinationDefinition("slow", PluginSpec.instance(slow), settings))
        .pipeline("big", p -> p.source(source).queueCapacity(256).route(r -> r.to("slow")))
        .build()) {
      assertThat(sluice.run("big").recordsRead()).isEqualTo(20_000);
    }
    // read queue (256) + dispatcher buffer (2 x 100) + one batch in flight (100) + one record in
    // the router's hand + the one being emitted
    assertThat(maxAhead.get()).as("records emitted and not yet delivered, at most")
        .isGreaterThan(256).isLessThanOrEqualTo(256 + 200 + 100 + 2);
  }

  @Test
  void retryableFailuresAreRetriedWithBackoffThenDelivered() {
    all.behave((batch, call) -> {
      if (call <= 2) {
        throw DeliveryException.retryable("HTTP 503");
      }
      return DeliveryResult.success();
    });
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(5, 5)).route(r -> r.to("all")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(all.receivedKeys()).containsExactlyElementsOf(keys(1, 5));
      assertThat(report.destinations().get("all").retries()).isEqualTo(2);
      assertThat(sleeper.waits).hasSize(2);
      assertThat(sleeper.waits.get(0)).isLessThanOrEqualTo(Duration.ofMillis(200));
      assertThat(sleeper.waits.get(1)).isLessThanOrEqualTo(Duration.ofMillis(400));
    }
  }

  @Test
  void retryAfterFromTheServerIsHonoured() {
    all.behave((batch, call) -> {
      if (call == 1) {
        throw DeliveryException.retryAfter("HTTP 429", Duration.ofSeconds(7));
      }
      return DeliveryResult.success();
    });
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(3, 3)).route(r -> r.to("all")))
        .build()) {
      assertThat(sluice.run("orders").succeeded()).isTrue();
      assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(7));
    }
  }

  @Test
  void exhaustedRetriesAndPermanentFailuresBecomeDeadLettersWithTheReason() {
    all.behave((batch, call) -> { throw DeliveryException.retryable("connection refused"); });
    big.behave((batch, call) -> { throw DeliveryException.permanent("HTTP 400: invalid channel"); });
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(4, 2))
            .route(r -> r.when("$.amount > 20").to("big"))
            .route(r -> r.to("all")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.status()).as("dead letters do not fail the run").isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.destinations().get("all").deadLettered()).isEqualTo(4);
      assertThat(report.destinations().get("big").deadLettered()).isEqualTo(2);
      List<DeadLetter> allDead = store.deadLetters().list(DeadLetterQuery.of("orders", "all"));
      assertThat(allDead).extracting(DeadLetter::recordKey).containsExactlyElementsOf(keys(1, 4));
      assertThat(allDead).allSatisfy(d -> {
        assertThat(d.reason()).isEqualTo("gave up after 5 attempts: connection refused");
        assertThat(d.attempts()).isEqualTo(5);
        assertThat(d.record().path("data").path("id").asLong()).isPositive();
      });
      List<DeadLetter> bigDead = store.deadLetters().list(DeadLetterQuery.of("orders", "big"));
      assertThat(bigDead).allSatisfy(d -> {
        assertThat(d.reason()).isEqualTo("permanent failure: HTTP 400: invalid channel");
        assertThat(d.attempts()).isEqualTo(1);
      });
      assertThat(big.calls.get()).as("permanent failures are not retried").isEqualTo(1);
      assertThat(store.checkpoints().load("orders")).as("dead-lettered records are settled")
          .contains(Checkpoint.of("next", 5));
    }
  }

  @Test
  void perRecordFailuresRetryOnlyTheFailedRecords() {
    all.behave((batch, call) -> {
      if (call == 1) {
        return DeliveryResult.partial(Map.of(
            1, RecordFailure.retryable("throttled"),
            2, RecordFailure.permanent("invalid email")));
      }
      return DeliveryResult.success();
    });
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(4, 4)).route(r -> r.to("all")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(all.batches.get(1).records()).extracting(Record::key).containsExactly("k2");
      assertThat(all.receivedKeys()).containsExactlyInAnyOrder("k1", "k4", "k2");
      assertThat(report.destinations().get("all").delivered()).isEqualTo(3);
      assertThat(store.deadLetters().list(DeadLetterQuery.of("orders", "all")))
          .singleElement().satisfies(d -> {
            assertThat(d.recordKey()).isEqualTo("k3");
            assertThat(d.reason()).isEqualTo("permanent failure: invalid email");
          });
    }
  }

  @Test
  void aFailingSourceFailsTheRunButWhatWasReadIsDeliveredAndCheckpointed() {
    ListConnector breaking = new ListConnector(100, 10, 35, ListConnector::order);
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(breaking).route(r -> r.to("all")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.status()).isEqualTo(RunStatus.FAILED);
      assertThat(report.error()).hasValueSatisfying(e -> assertThat(e)
          .contains("pipeline 'orders'").contains("source").contains("source broke at record 36"));
      assertThat(all.receivedKeys()).containsExactlyElementsOf(keys(1, 35));
      assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 31));
      assertThat(all.finishedRuns).containsExactly(report.runId() + ":false");
      assertThat(store.runs().find(report.runId()).orElseThrow().error()).contains("source broke");
    }
  }

  @Test
  void aRunResumesFromTheLastCommittedCheckpoint() {
    ListConnector source = ListConnector.of(20, 5);
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(source).route(r -> r.to("all")))
        .build()) {
      sluice.run("orders");
      RunReport second = sluice.run("orders");

      assertThat(source.startedFrom).containsExactly(null, Checkpoint.of("next", 21));
      assertThat(second.recordsRead()).isZero();
      assertThat(all.receivedKeys()).containsExactlyElementsOf(keys(1, 20));
    }
  }

  @Test
  void rejectedInputIsKeptAsADeadLetter() {
    Connector withGarbage = (ctx, from, out) -> {
      out.emit(Record.of("a", ListConnector.order(1)));
      out.reject("{not json", "input.jsonl:2", "not valid JSON");
      out.emit(Record.of("b", ListConnector.order(2)));
      out.checkpoint(Checkpoint.of("next", 3));
    };
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(withGarbage).route(r -> r.to("all")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.recordsRejected()).isEqualTo(1);
      assertThat(all.receivedKeys()).containsExactly("a", "b");
      DeadLetter d = store.deadLetters().list(DeadLetterQuery.of("orders", DeadLetter.SOURCE)).get(0);
      assertThat(d.recordKey()).isEqualTo("input.jsonl:2");
      assertThat(d.record().path("raw").asText()).isEqualTo("{not json");
      assertThat(d.reason()).contains("input.jsonl:2").contains("not valid JSON");
    }
  }

  @Test
  void aRoutingErrorDeadLettersTheRecordOrFailsTheRunAsConfigured() {
    dev.sluice.routing.Condition explodesOn3 = rec -> {
      if (rec.key().equals("k3")) {
        throw new RoutingException("cannot compare 'abc' with 5");
      }
      return true;
    };
    try (Sluice sluice = builder()
        .pipeline("lenient", p -> p.source(ListConnector.of(5, 5)).route(r -> r.name("check").when(explodesOn3).to("all")))
        // A checkpoint after every record: those before the failure are committable, the ones after not.
        .pipeline("strict", p -> p.source(ListConnector.of(5, 1)).onError(ErrorPolicy.FAIL)
            .route(r -> r.name("check").when(explodesOn3).to("big")))
        .build()) {
      RunReport lenient = sluice.run("lenient");
      assertThat(lenient.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(lenient.routingErrors()).isEqualTo(1);
      assertThat(all.receivedKeys()).containsExactly("k1", "k2", "k4", "k5");
      assertThat(store.deadLetters().list(DeadLetterQuery.of("lenient", DeadLetter.ROUTER)))
          .singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo("rule 'check': cannot compare 'abc' with 5"));

      RunReport strict = sluice.run("strict");
      assertThat(strict.status()).isEqualTo(RunStatus.FAILED);
      assertThat(strict.error()).hasValueSatisfying(e -> assertThat(e).contains("record 'k3'").contains("rule 'check'"));
      assertThat(store.checkpoints().load("strict")).as("no checkpoint passes the failed record")
          .contains(Checkpoint.of("next", 3));
      assertThat(strict.checkpoint()).contains(Checkpoint.of("next", 3));
      assertThat(big.receivedKeys()).containsExactly("k1", "k2");
    }
  }

  @Test
  void aCancelledRunStopsReadingAndDeliversWhatItRead() throws Exception {
    Semaphore gate = all.gate();
    ListConnector endless = ListConnector.of(Long.MAX_VALUE, 100);
    RunControl control = RunControl.create();
    try (Sluice sluice = builder()
        .pipeline("endless", p -> p.source(endless).route(r -> r.to("all")))
        .build()) {
      CompletableFuture<RunReport> run =
          CompletableFuture.supplyAsync(() -> sluice.run("endless", "api", null, control));
      Eventually.await("2000 records were read", () -> endless.emitted.get() >= 2000);
      control.cancel();
      gate.release(Integer.MAX_VALUE / 2);
      RunReport report = run.get(30, TimeUnit.SECONDS);

      assertThat(report.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(report.delivered()).isEqualTo(report.recordsRead()).isPositive();
      assertThat(all.receivedKeys()).containsExactlyElementsOf(keys(1, report.recordsRead()));
    }
  }

  @Test
  @Timeout(10) // the bug this guards against waited 30 s for a reader that never began
  void aRunCancelledBeforeItsReaderBeganEndsAtOnce() throws Exception {
    CountDownLatch readerSubmitted = new CountDownLatch(1);
    CountDownLatch releaseReader = new CountDownLatch(1);
    ExecutorService pool = Executors.newCachedThreadPool();
    AtomicInteger submissions = new AtomicInteger();
    // One destination: the engine submits its delivery worker first, then the reader; hold the reader.
    ExecutorService holding = new AbstractExecutorService() {
      @Override
      public void execute(Runnable task) {
        if (submissions.incrementAndGet() == 2) {
          readerSubmitted.countDown();
          pool.execute(() -> {
            try {
              releaseReader.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            task.run();
          });
        } else {
          pool.execute(task);
        }
      }

      @Override
      public void shutdown() {
        pool.shutdown();
      }

      @Override
      public List<Runnable> shutdownNow() {
        return pool.shutdownNow();
      }

      @Override
      public boolean isShutdown() {
        return pool.isShutdown();
      }

      @Override
      public boolean isTerminated() {
        return pool.isTerminated();
      }

      @Override
      public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
      }
    };
    ListConnector source = ListConnector.of(10, 10);
    RunControl control = RunControl.create();
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).executor(holding).destination("all", all)
        .pipeline("orders", p -> p.source(source).route(r -> r.to("all")))
        .build()) {
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders", "api", null, control));
      readerSubmitted.await();
      control.cancel();
      RunReport report = run.get(10, TimeUnit.SECONDS);
      assertThat(report.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(report.recordsRead()).isZero();
      releaseReader.countDown();
      assertThat(source.startedFrom).as("the held reader never reads once the run is over").isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void buildReportsEveryProblemAtOnce() {
    assertThatThrownBy(() -> Sluice.builder()
        .destination("files", "no-such-destination", Map.of())
        .pipeline("a", p -> p.source("no-such-connector", Map.of()).route(r -> r.name("x").to("nowhere")))
        .pipeline("b", p -> p.source(ListConnector.of(1, 1)).otherwise("missing"))
        .build())
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining("4 problems")
        .hasMessageContaining("pipeline 'a', rule 'x' routes to destination 'nowhere', which is not defined (defined: files)")
        .hasMessageContaining("pipeline 'b': otherwise routes to destination 'missing'")
        .hasMessageContaining("destination 'files': no destination of type 'no-such-destination' (known: file, log, webhook)")
        .hasMessageContaining("pipeline 'a' source: no connector of type 'no-such-connector' (known: file, http, webhook)");
  }

  @Test
  void builderRejectsBadValuesWhenTheyAreSet() {
    assertThatThrownBy(() -> Pipeline.builder("bad name"))
        .hasMessageContaining("got 'bad name'");
    assertThatThrownBy(() -> Pipeline.builder("p").queueCapacity(0))
        .hasMessageContaining("queueCapacity must be between 1 and 1000000, got 0");
    assertThatThrownBy(() -> Sluice.builder().pipeline("p", p -> p.route(r -> r.name("big").when("$.amount >> 5"))))
        .hasMessageContaining("pipeline 'p', rule 'big'")
        .hasMessageContaining("^");
    assertThatThrownBy(() -> Sluice.builder().pipeline("p", p -> p.route(r -> r.to("x"))).build())
        .hasMessageContaining("pipeline 'p' has no source");
  }

  @Test
  void transformedRecordsKeepTheOriginalForDeadLetters() {
    all.behave((batch, call) -> { throw DeliveryException.permanent("rejected"); });
    try (Sluice sluice = builder()
        .pipeline("orders", p -> p.source(ListConnector.of(1, 1)).route(r -> r
            .transform(rec -> {
              ObjectNode copy = rec.data().deepCopy();
              copy.put("tier", "gold");
              return List.of(rec.withData(copy));
            })
            .to("all")))
        .build()) {
      sluice.run("orders");
      DeadLetter d = store.deadLetters().list(DeadLetterQuery.of("orders", "all")).get(0);
      assertThat(d.record().path("data").path("tier").asText()).isEqualTo("gold");
      assertThat(d.original().path("data").has("tier")).isFalse();
    }
  }
}
