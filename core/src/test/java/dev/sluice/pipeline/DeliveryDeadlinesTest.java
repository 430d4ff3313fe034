package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.record.Batch;
import dev.sluice.record.Checkpoint;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.ListConnector;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every wait of a run has a deadline: a destination that hangs and ignores interrupts hangs nothing. */
@Timeout(90)
class DeliveryDeadlinesTest {
  private final InMemoryStore store = new InMemoryStore();
  private final CountDownLatch testOver = new CountDownLatch(1);

  /** Delivers the first {@code good} batches, then never returns from a call, whatever interrupts it gets. */
  final class Hanging implements Destination {
    final int good;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger inside = new AtomicInteger();
    final CountDownLatch hanging = new CountDownLatch(1);
    volatile int insideWhenClosed = -1;

    Hanging(int good) {
      this.good = good;
    }

    @Override
    public DeliveryResult deliver(Batch batch) {
      if (calls.incrementAndGet() <= good) {
        return DeliveryResult.success();
      }
      inside.incrementAndGet();
      hanging.countDown();
      try {
        while (true) {
          try {
            if (testOver.await(1, TimeUnit.DAYS)) {
              return DeliveryResult.success();
            }
          } catch (InterruptedException ignored) {
            // a badly written destination: swallows the interrupt and goes on waiting
          }
        }
      } finally {
        inside.decrementAndGet();
      }
    }

    @Override
    public void close() {
      insideWhenClosed = inside.get();
    }
  }

  @AfterEach
  void release() {
    testOver.countDown();
  }

  /** A Sluice whose one pipeline delivers to {@code hanging}, with a 1 s deliveryTimeout. */
  private Sluice stuckOn(Hanging hanging) {
    return Sluice.builder().store(store)
        .destination("stuck", hanging, d -> d.batchSize(10).linger(Duration.ZERO)
            .maxElapsedTime(Duration.ofSeconds(1)).deliveryTimeout(Duration.ofSeconds(1)))
        .pipeline("orders", p -> p.source(ListConnector.of(50, 10)).route(r -> r.to("stuck")))
        .build();
  }

  @Test
  void aDestinationThatNeverReturnsFailsTheRunInsteadOfHangingIt() throws Exception {
    Hanging hanging = new Hanging(2);
    try (Sluice sluice = Sluice.builder().store(store)
        .destination("stuck", hanging, d -> d.batchSize(10).linger(Duration.ofMinutes(1))
            .maxElapsedTime(Duration.ofMillis(200)).deliveryTimeout(Duration.ofMillis(500)))
        .pipeline("orders", p -> p.source(ListConnector.of(50, 10)).route(r -> r.to("stuck")))
        .build()) {
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));

      RunReport report = run.get(30, TimeUnit.SECONDS);

      assertThat(report.status()).isEqualTo(RunStatus.FAILED);
      assertThat(report.error()).hasValueSatisfying(e -> assertThat(e)
          .contains("delivery to destination 'stuck' did not return within deliveryTimeout PT0.5S")
          .contains("not checkpointed"));
      assertThat(report.delivered()).isEqualTo(20);
      assertThat(report.undelivered()).as("the hung batch and what was buffered behind it")
          .isEqualTo(report.recordsRead() - 20).isPositive();
      assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 21));
      assertThat(store.runs().find(report.runId()).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
    }
  }

  @Test
  void shutdownEndsARunWhoseDestinationIgnoresInterruptsAndClosesItOnlyAfterTheCallReturned() throws Exception {
    Hanging hanging = new Hanging(0);
    Sluice sluice = stuckOn(hanging);
    CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
    assertThat(hanging.hanging.await(20, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> sluice.shutdown(Duration.ofMillis(200)));
    RunReport report = run.get(30, TimeUnit.SECONDS);

    assertThat(report.status()).isEqualTo(RunStatus.FAILED);
    assertThat(report.error()).hasValueSatisfying(e -> assertThat(e)
        .contains("destination 'stuck' did not return from a delivery after it was interrupted"));
    assertThat(report.undelivered()).isEqualTo(report.recordsRead()).isPositive();
    assertThat(store.checkpoints().load("orders")).isEmpty();

    testOver.countDown(); // the call the run gave up on returns at last
    assertThat(shutdown.get(30, TimeUnit.SECONDS)).as("not drained").isFalse();
    assertThat(hanging.insideWhenClosed).as("closed after the call it had given up on returned").isZero();
  }

  @Test
  void shutdownClosesADestinationWhoseCallNeverReturnsAfterTheGracePeriod() throws Exception {
    Hanging hanging = new Hanging(0);
    Sluice sluice = stuckOn(hanging);
    CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
    assertThat(hanging.hanging.await(20, TimeUnit.SECONDS)).isTrue();

    assertThat(sluice.shutdown(Duration.ofMillis(200))).as("not drained").isFalse();

    assertThat(run.get(30, TimeUnit.SECONDS).status()).isEqualTo(RunStatus.FAILED);
    assertThat(hanging.insideWhenClosed).as("closed, with the call still inside, once it was given up on")
        .isEqualTo(1);
  }
}
