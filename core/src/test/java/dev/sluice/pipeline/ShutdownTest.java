package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Sluice;
import dev.sluice.delivery.Sleeper;
import dev.sluice.record.Checkpoint;
import dev.sluice.schedule.RunHandle;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.Trigger;
import dev.sluice.spi.TriggerContext;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ShutdownTest {
  private final InMemoryStore store = new InMemoryStore();

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(2);
    }
  }

  @Test
  void shutdownStopsTriggersAndReadingThenDrainsInFlightBatchesWithinTheDeadline() throws Exception {
    RecordingDestination hook = new RecordingDestination();
    Semaphore gate = hook.gate();
    ListConnector endless = ListConnector.of(Long.MAX_VALUE, 10);
    AtomicBoolean triggerClosed = new AtomicBoolean();
    Trigger idle = new Trigger() {
      @Override
      public void start(TriggerContext context) {}

      @Override
      public void close() {
        triggerClosed.set(true);
      }
    };
    Sluice sluice = Sluice.builder().store(store)
        .destination("hook", hook, d -> d.batchSize(10).linger(Duration.ZERO).concurrency(2))
        .pipeline("endless", p -> p.source(endless).trigger(idle).route(r -> r.to("hook")))
        .build()
        .start();
    RunHandle run = sluice.trigger("endless");
    // The router fills the destination's buffer (20) and the batches in flight before it blocks.
    await("the destination is backed up", () -> run.progress().recordsRead() >= 20 && endless.emitted.get() >= 500);

    CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> sluice.shutdown(Duration.ofSeconds(30)));
    await("the triggers were stopped", triggerClosed::get);
    gate.release(Integer.MAX_VALUE / 2);

    assertThat(shutdown.get(30, TimeUnit.SECONDS)).as("drained within the deadline").isTrue();
    RunReport report = run.await(Duration.ofSeconds(30)).orElseThrow();
    assertThat(report.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(report.undelivered()).isZero();
    assertThat(report.delivered()).isEqualTo(report.recordsRead()).isPositive();
    assertThat(hook.receivedKeys()).containsExactlyInAnyOrderElementsOf(keys(1, report.recordsRead()));
    long next = store.checkpoints().load("endless").orElseThrow().state().get("next").asLong();
    assertThat(next).isBetween(report.recordsRead() - 9, report.recordsRead() + 1);
    assertThatThrownBy(() -> sluice.run("endless"))
        .isInstanceOf(EngineStoppedException.class)
        .hasMessageContaining("pipeline 'endless': not started, Sluice is shutting down");
    assertThatThrownBy(() -> sluice.trigger("endless")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void whenTheDeadlinePassesWhatIsLeftStaysUncheckpointedAndTheNextRunReadsItAgain() throws Exception {
    RecordingDestination stuck = new RecordingDestination();
    Semaphore gate = stuck.gate();
    gate.release(2); // two batches get through, then the destination hangs
    Sluice sluice = Sluice.builder().store(store)
        // A long linger: every batch is cut full, ten records each.
        .destination("hook", stuck, d -> d.batchSize(10).linger(Duration.ofMinutes(1)))
        .pipeline("orders", p -> p.source(ListConnector.of(100, 10)).route(r -> r.to("hook")))
        .build();
    CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
    await("the first two batches are acknowledged", () -> store.checkpoints().load("orders")
        .equals(Optional.of(Checkpoint.of("next", 21))));

    assertThat(sluice.shutdown(Duration.ofMillis(300))).as("not drained").isFalse();

    RunReport report = run.get(30, TimeUnit.SECONDS);
    assertThat(report.status()).isEqualTo(RunStatus.FAILED);
    assertThat(report.delivered()).isEqualTo(20);
    assertThat(report.undelivered()).isPositive().isEqualTo(report.recordsRead() - 20);
    assertThat(report.error()).hasValueSatisfying(e -> assertThat(e)
        .contains("shutdown deadline passed with " + report.undelivered() + " record(s) undelivered")
        .contains("next run reads them again"));
    assertThat(report.deadLettered()).isZero();
    assertThat(store.deadLetters().count(DeadLetterQuery.all())).as("undelivered is not dead").isZero();
    assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 21));
    assertThat(store.runs().find(report.runId()).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
    assertThat(report.render()).contains("undelivered");

    RecordingDestination fresh = new RecordingDestination();
    try (Sluice restarted = Sluice.builder().store(store)
        .destination("hook", fresh, d -> d.batchSize(10).linger(Duration.ZERO))
        .pipeline("orders", p -> p.source(ListConnector.of(100, 10)).route(r -> r.to("hook")))
        .build()) {
      assertThat(restarted.run("orders").succeeded()).isTrue();
    }
    List<String> all = new ArrayList<>(stuck.receivedKeys());
    all.addAll(fresh.receivedKeys());
    assertThat(all).containsExactlyElementsOf(keys(1, 100));
  }

  @Test
  void aRetryWaitInProgressIsCutShortAndItsRecordsAreNotDeadLettered() throws Exception {
    RecordingDestination failing = new RecordingDestination()
        .behave((batch, call) -> { throw DeliveryException.retryable("HTTP 503"); });
    Sluice sluice = Sluice.builder().store(store).sleeper(Sleeper.SYSTEM)
        .destination("hook", failing, d -> d.linger(Duration.ZERO).noCircuitBreaker()
            .initialBackoff(Duration.ofMinutes(10)).maxBackoff(Duration.ofMinutes(10)).maxAttempts(3))
        .pipeline("orders", p -> p.source(ListConnector.of(5, 5)).route(r -> r.to("hook")))
        .build();
    CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
    await("the first attempt failed", () -> failing.calls.get() >= 1);

    long started = System.nanoTime();
    assertThat(sluice.shutdown(Duration.ofMillis(200))).isFalse();
    RunReport report = run.get(30, TimeUnit.SECONDS);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    assertThat(report.status()).isEqualTo(RunStatus.FAILED);
    assertThat(report.undelivered()).isEqualTo(5);
    assertThat(store.deadLetters().count(DeadLetterQuery.all())).isZero();
    assertThat(store.checkpoints().load("orders")).isEmpty();
  }

  private static List<String> keys(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(i -> "k" + i).toList();
  }
}
