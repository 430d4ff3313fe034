package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's own meters (docs/user-guide/observability-metrics.md) after real runs: counts equal
 * the records, tags are bounded (configured names and fixed values, never record data).
 */
@Timeout(60)
class EngineMetricsTest {
  private final InMemoryStore store = new InMemoryStore();
  private final FakeSleeper sleeper = new FakeSleeper();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RecordingDestination big = new RecordingDestination();
  private final RecordingDestination all = new RecordingDestination();

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void countersTimersAndGaugesMatchTheRecordsOfARun() {
    // all: one batch of 100 (batchSize 100, long linger); its first attempt fails retryably.
    all.behave((batch, call) -> {
      if (call == 1) {
        throw DeliveryException.retryable("HTTP 503");
      }
      return DeliveryResult.success();
    });
    // big: one batch of 10; its first record fails for good.
    big.behave((batch, call) -> DeliveryResult.partial(Map.of(0, RecordFailure.permanent("invalid"))));
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).meterRegistry(registry)
        .destination("big", big, d -> d.batchSize(10).linger(Duration.ofMinutes(1)))
        .destination("all", all, d -> d.batchSize(100).linger(Duration.ofMinutes(1)))
        .pipeline("orders", p -> p.source(ListConnector.of(100, 10))
            .route(r -> r.name("big").when("$.amount > 900").to("big"))
            .route(r -> r.name("everything").to("all")))
        .build()) {
      RunReport report = sluice.run("orders");
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);

      assertThat(count("sluice.records.read", "pipeline", "orders")).isEqualTo(100);
      assertThat(count("sluice.records.matched", "pipeline", "orders", "rule", "big")).isEqualTo(10);
      assertThat(count("sluice.records.matched", "pipeline", "orders", "rule", "everything")).isEqualTo(100);
      assertThat(count("sluice.records.unmatched", "pipeline", "orders")).isZero();
      assertThat(count("sluice.records.delivered", "pipeline", "orders", "destination", "all")).isEqualTo(100);
      assertThat(count("sluice.records.delivered", "pipeline", "orders", "destination", "big")).isEqualTo(9);
      assertThat(count("sluice.records.dead_lettered", "pipeline", "orders", "destination", "big")).isEqualTo(1);
      assertThat(count("sluice.records.dead_lettered", "pipeline", "orders", "destination", "all")).isZero();
      assertThat(count("sluice.records.retried", "pipeline", "orders", "destination", "all"))
          .as("the 100 records of the failed attempt were sent again once").isEqualTo(100);
      assertThat(count("sluice.records.retried", "pipeline", "orders", "destination", "big")).isZero();

      DistributionSummary allBatches = registry.get("sluice.delivery.batch.size")
          .tags("pipeline", "orders", "destination", "all").summary();
      assertThat(allBatches.count()).isEqualTo(1);
      assertThat(allBatches.totalAmount()).isEqualTo(100);
      DistributionSummary bigBatches = registry.get("sluice.delivery.batch.size")
          .tags("pipeline", "orders", "destination", "big").summary();
      assertThat(bigBatches.count()).isEqualTo(1);
      assertThat(bigBatches.totalAmount()).isEqualTo(10);

      assertThat(latency("all", "delivered").count()).isEqualTo(1);
      assertThat(registry.find("sluice.delivery.latency").tags("destination", "all", "outcome", "partial").timer())
          .as("registered when the outcome first happens").isNull();
      assertThat(latency("big", "partial").count()).isEqualTo(1);
      assertThat(registry.find("sluice.delivery.latency").tags("destination", "big", "outcome", "delivered").timer())
          .isNull();

      Timer runs = registry.get("sluice.runs").tags("pipeline", "orders", "status", "succeeded").timer();
      assertThat(runs.count()).isEqualTo(1);
      assertThat(registry.find("sluice.runs").tags("pipeline", "orders", "status", "failed").timer()).isNull();

      assertThat(registry.get("sluice.store.commit")
          .tags("pipeline", "orders", "operation", "checkpoint", "outcome", "success").timer().count())
          .as("at least the last checkpoint was committed").isGreaterThanOrEqualTo(1);
      assertThat(registry.get("sluice.store.commit")
          .tags("pipeline", "orders", "operation", "run", "outcome", "success").timer().count())
          .as("the run record saved at the start and at the end").isEqualTo(2);
      assertThat(registry.find("sluice.store.commit")
          .tags("pipeline", "orders", "operation", "checkpoint", "outcome", "fenced").timer()).isNull();

      assertThat(gauge("sluice.queue.depth", "pipeline", "orders")).isZero();
      assertThat(gauge("sluice.runs.active", "pipeline", "orders")).isZero();
      assertThat(gauge("sluice.dispatcher.buffered", "pipeline", "orders", "destination", "all")).isZero();
      assertThat(gauge("sluice.circuit.state", "destination", "all")).as("closed").isZero();

      assertTagsBounded(report.runId(), Set.of("orders", "big", "everything", "all"));

      // A second run reads nothing new: the counters don't move, the run timer does.
      sluice.run("orders");
      assertThat(count("sluice.records.read", "pipeline", "orders")).isEqualTo(100);
      assertThat(runs.count()).isEqualTo(2);
    }
  }

  @Test
  void circuitStateGaugeShowsAnOpenBreakerAndExistsOnlyWithABreaker() {
    all.behave((batch, call) -> { throw DeliveryException.retryable("connection refused"); });
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).meterRegistry(registry)
        .destination("all", all, d -> d.circuitBreaker(5, Duration.ofHours(1)))
        .destination("plain", big, d -> d.noCircuitBreaker())
        .pipeline("orders", p -> p.source(ListConnector.of(4, 2))
            .route(r -> r.name("to-all").to("all"))
            .route(r -> r.name("to-plain").to("plain")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.destinations().get("all").deadLettered()).isEqualTo(4);
      assertThat(gauge("sluice.circuit.state", "destination", "all"))
          .as("5 consecutive failed attempts opened it").isEqualTo(2);
      assertThat(registry.find("sluice.circuit.state").tag("destination", "plain").gauge()).isNull();
      assertThat(count("sluice.records.dead_lettered", "pipeline", "orders", "destination", "all")).isEqualTo(4);
      assertThat(latency("all", "failed").count()).isPositive();
      assertThat(count("sluice.records.retried", "pipeline", "orders", "destination", "all"))
          .as("4 retry attempts of the first batch of 2 records, before the breaker opened and the budget ran out")
          .isGreaterThanOrEqualTo(2);
      assertTagsBounded(report.runId(), Set.of("orders", "all", "plain", "to-all", "to-plain"));
    }
  }

  @Test
  void aFailedRunIsTimedAsFailedAndRejectedAndUnmatchedRecordsAreCounted() {
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).meterRegistry(registry)
        .destination("all", all)
        .pipeline("broken", p -> p.source(new ListConnector(10, 5, 6, ListConnector::order))
            .route(r -> r.name("small").when("$.amount < 30").to("all")))
        .build()) {
      RunReport report = sluice.run("broken");

      assertThat(report.status()).isEqualTo(RunStatus.FAILED);
      assertThat(count("sluice.records.read", "pipeline", "broken")).isEqualTo(6);
      assertThat(count("sluice.records.matched", "pipeline", "broken", "rule", "small")).isEqualTo(2);
      assertThat(count("sluice.records.unmatched", "pipeline", "broken")).isEqualTo(4);
      assertThat(registry.get("sluice.runs").tags("pipeline", "broken", "status", "failed").timer().count())
          .isEqualTo(1);
      assertTagsBounded(report.runId(), Set.of("broken", "all", "small"));
    }
  }

  @Test
  void closingRemovesTheGaugesSoThatTheNextInstanceOnTheRegistryHasItsOwn() {
    Sluice first = Sluice.builder().store(store).sleeper(sleeper).meterRegistry(registry)
        .destination("all", all)
        .pipeline("orders", p -> p.source(ListConnector.of(3, 3)).route(r -> r.to("all")))
        .build();
    assertThat(gauge("sluice.queue.depth", "pipeline", "orders")).isZero();
    assertThat(gauge("sluice.circuit.state", "destination", "all")).isZero();
    first.run("orders");
    first.close();
    assertThat(registry.find("sluice.queue.depth").gauges()).isEmpty();
    assertThat(registry.find("sluice.runs.active").gauges()).isEmpty();
    assertThat(registry.find("sluice.dispatcher.buffered").gauges()).isEmpty();
    assertThat(registry.find("sluice.circuit.state").gauges()).isEmpty();
    assertThat(count("sluice.records.read", "pipeline", "orders")).as("counters stay").isEqualTo(3);

    try (Sluice second = Sluice.builder().store(new InMemoryStore()).sleeper(sleeper).meterRegistry(registry)
        .destination("all", all)
        .pipeline("orders", p -> p.source(ListConnector.of(2, 2)).route(r -> r.to("all")))
        .build()) {
      assertThat(registry.find("sluice.queue.depth").gauges()).hasSize(1);
      assertThat(gauge("sluice.runs.active", "pipeline", "orders")).isZero();
      second.run("orders");
      assertThat(count("sluice.records.read", "pipeline", "orders")).isEqualTo(5);
    }
  }

  @Test
  void queueDepthBufferedAndActiveRunsGaugesFollowARunInProgress() throws Exception {
    java.util.concurrent.Semaphore gate = all.gate(); // the first batch waits in the destination
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).meterRegistry(registry)
        .destination("all", all, d -> d.batchSize(2))
        .pipeline("orders", p -> p.source(ListConnector.of(100, 100)).queueCapacity(8).route(r -> r.to("all")))
        .build()) {
      java.util.concurrent.CompletableFuture<RunReport> run =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> sluice.run("orders"));
      // 2 records in the held batch, 4 (2 x batchSize) buffered, the router blocked on the 7th, 8 queued.
      dev.sluice.testing.Eventually.await("the read queue and the dispatch buffer are full",
          () -> gauge("sluice.queue.depth", "pipeline", "orders") == 8
              && gauge("sluice.dispatcher.buffered", "pipeline", "orders", "destination", "all") == 4);
      assertThat(all.calls.get()).as("only the held batch reached the destination").isZero();
      assertThat(gauge("sluice.runs.active", "pipeline", "orders")).isEqualTo(1);

      gate.release(1000);
      RunReport report = run.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(report.delivered()).isEqualTo(100);
      assertThat(gauge("sluice.queue.depth", "pipeline", "orders")).isZero();
      assertThat(gauge("sluice.dispatcher.buffered", "pipeline", "orders", "destination", "all")).isZero();
      assertThat(gauge("sluice.runs.active", "pipeline", "orders")).isZero();
    }
  }

  @Test
  void runsWaitTimesHowLongAQueuedRunWaitedForItsStart() throws Exception {
    java.util.concurrent.Semaphore gate = all.gate();
    dev.sluice.schedule.ManualTicker ticker =
        new dev.sluice.schedule.ManualTicker(java.time.Instant.parse("2025-01-01T10:00:00Z"));
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).meterRegistry(registry).ticker(ticker)
        .destination("all", all)
        .pipeline("orders", p -> p.source(ListConnector.of(10, 10)).overlap(OverlapPolicy.QUEUE)
            .route(r -> r.to("all")))
        .build()) {
      dev.sluice.schedule.RunHandle first = sluice.trigger("orders");
      dev.sluice.testing.Eventually.await("a delivery waits at the gate", gate::hasQueuedThreads);
      dev.sluice.schedule.RunHandle second = sluice.trigger("orders");
      assertThat(second.status()).isEqualTo(RunStatus.QUEUED);
      ticker.jumpTo(java.time.Instant.parse("2025-01-01T10:01:30Z"));
      gate.release(100);
      first.await();
      assertThat(second.await().status()).isEqualTo(RunStatus.SUCCEEDED);

      Timer wait = registry.get("sluice.runs.wait").tags("pipeline", "orders").timer();
      assertThat(wait.count()).isEqualTo(2);
      assertThat(wait.totalTime(java.util.concurrent.TimeUnit.SECONDS))
          .as("the first started at once, the second 90 s after it was asked for").isEqualTo(90);
    }
  }

  @Test
  void storeCommitTimerTellsFailedAndFencedCheckpointCommitsApart() {
    // Checkpoint commits of pipeline "down" fail (the database is away); those of "fenced" find that
    // another run committed first.
    dev.sluice.store.Store wrapped = new dev.sluice.store.Store() {
      @Override
      public dev.sluice.store.CheckpointStore checkpoints() {
        return new dev.sluice.store.CheckpointStore() {
          @Override
          public java.util.Optional<dev.sluice.store.StoredCheckpoint> position(String pipeline) {
            return store.checkpoints().position(pipeline);
          }

          @Override
          public java.util.Optional<dev.sluice.store.StoredCheckpoint> commit(String pipeline,
              dev.sluice.record.Checkpoint checkpoint, dev.sluice.store.StoredCheckpoint expected,
              dev.sluice.store.RunRecord progress) {
            if (pipeline.equals("down")) {
              throw new IllegalStateException("connection refused");
            }
            return java.util.Optional.empty();
          }

          @Override
          public void reset(String pipeline) {
            store.checkpoints().reset(pipeline);
          }
        };
      }

      @Override
      public dev.sluice.store.RunStore runs() {
        return store.runs();
      }

      @Override
      public dev.sluice.store.DeadLetterStore deadLetters() {
        return store.deadLetters();
      }
    };
    try (Sluice sluice = Sluice.builder().store(wrapped).sleeper(sleeper).meterRegistry(registry)
        .destination("all", all)
        .pipeline("down", p -> p.source(ListConnector.of(5, 5)).route(r -> r.to("all")))
        .pipeline("fenced", p -> p.source(ListConnector.of(5, 5)).route(r -> r.to("all")))
        .build()) {
      assertThat(sluice.run("down").status()).isEqualTo(RunStatus.FAILED);
      assertThat(sluice.run("fenced").status()).isEqualTo(RunStatus.SUCCEEDED);

      assertThat(registry.get("sluice.store.commit")
          .tags("pipeline", "down", "operation", "checkpoint", "outcome", "error").timer().count()).isPositive();
      assertThat(registry.find("sluice.store.commit")
          .tags("pipeline", "down", "operation", "checkpoint", "outcome", "success").timer()).isNull();
      assertThat(registry.get("sluice.store.commit")
          .tags("pipeline", "fenced", "operation", "checkpoint", "outcome", "fenced").timer().count())
          .as("once fenced, the run commits no more").isEqualTo(1);
      assertThat(registry.get("sluice.runs").tags("pipeline", "down", "status", "failed").timer().count())
          .isEqualTo(1);
    }
  }

  private Timer latency(String destination, String outcome) {
    return registry.get("sluice.delivery.latency")
        .tags("pipeline", "orders", "destination", destination, "outcome", outcome).timer();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  /**
   * Every tag value of every sluice meter is a configured name or one of the documented fixed
   * values; no record key, record data or run id.
   */
  private void assertTagsBounded(String runId, Set<String> configured) {
    Set<String> fixed = Set.of("succeeded", "failed", "cancelled", "delivered", "partial", "abandoned",
        "checkpoint", "run", "success", "fenced", "error");
    Set<String> allowed = new HashSet<>(configured);
    allowed.addAll(fixed);
    Set<String> seen = new HashSet<>();
    for (Meter m : registry.getMeters()) {
      if (!m.getId().getName().startsWith("sluice.")) {
        continue;
      }
      for (Tag t : m.getId().getTags()) {
        seen.add(t.getValue());
      }
    }
    assertThat(seen).isNotEmpty().isSubsetOf(allowed);
    assertThat(seen).noneMatch(v -> v.contains(runId) || v.matches("k\\d+") || v.contains("amount"));
    Set<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
    assertThat(names).contains("sluice.records.read", "sluice.records.matched", "sluice.records.delivered",
        "sluice.records.dead_lettered", "sluice.records.retried", "sluice.delivery.batch.size",
        "sluice.delivery.latency", "sluice.runs", "sluice.queue.depth", "sluice.store.commit");
  }

}
