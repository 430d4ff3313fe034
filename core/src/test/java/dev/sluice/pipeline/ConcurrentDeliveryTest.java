package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.record.Batch;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.FakeTime;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several batches in flight per destination, completing in any order. */
@Timeout(60)
class ConcurrentDeliveryTest {
  private final InMemoryStore store = new InMemoryStore();
  private final FakeTime time = new FakeTime();

  /** Holds each call until the test releases it by call number; records completions in order. */
  static final class HeldDestination implements Destination {
    final Map<Integer, CountDownLatch> releases = new ConcurrentHashMap<>();
    final List<Integer> completed = new CopyOnWriteArrayList<>();
    final List<Batch> batches = new CopyOnWriteArrayList<>();
    final List<Integer> calls = new CopyOnWriteArrayList<>();

    private CountDownLatch latch(int call) {
      return releases.computeIfAbsent(call, c -> new CountDownLatch(1));
    }

    void release(int call) {
      latch(call).countDown();
    }

    @Override
    public DeliveryResult deliver(Batch batch) throws Exception {
      int call;
      synchronized (this) {
        call = calls.size() + 1;
        calls.add(call);
        batches.add(batch);
      }
      latch(call).await();
      completed.add(call);
      return DeliveryResult.success();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Eventually.await(what, condition);
  }

  @Test
  void outOfOrderCompletionNeverLetsACheckpointPassAnUnfinishedBatch() throws Exception {
    HeldDestination held = new HeldDestination();
    try (Sluice sluice = Sluice.builder().store(store).clock(time).sleeper(time)
        .destination("hook", held, d -> d.batchSize(10).linger(Duration.ofMinutes(1)).concurrency(3))
        .pipeline("orders", p -> p.source(ListConnector.of(30, 10)).route(r -> r.to("hook")))
        .build()) {
      CommitLooks looks = CommitLooks.on(sluice, "orders");
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
      await("three batches are in flight at once", () -> held.calls.size() == 3);
      assertThat(held.batches).extracting(b -> b.records().get(0).key())
          .containsExactlyInAnyOrder("k1", "k11", "k21");
      int first = callStartingWith(held, "k1");
      int second = callStartingWith(held, "k11");
      int third = callStartingWith(held, "k21");

      held.release(third);
      held.release(second);
      looks.await("the committer looked after the two later batches settled", l -> l.batchesSettled() == 2);
      assertThat(looks.committed())
          .as("records 1-10 are not acknowledged: no checkpoint may pass them").isEmpty();
      assertThat(store.checkpoints().load("orders")).isEmpty();

      held.release(first);
      RunReport report = run.get(30, TimeUnit.SECONDS);
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.delivered()).isEqualTo(30);
      assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 31));
    }
  }

  @Test
  void checkpointsAdvanceAsTheOldestBatchCompletes() throws Exception {
    HeldDestination held = new HeldDestination();
    try (Sluice sluice = Sluice.builder().store(store).clock(time).sleeper(time)
        .destination("hook", held, d -> d.batchSize(10).linger(Duration.ofMinutes(1)).concurrency(2))
        .pipeline("orders", p -> p.source(ListConnector.of(40, 10)).route(r -> r.to("hook")))
        .build()) {
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
      await("two batches are in flight", () -> held.calls.size() == 2);
      held.release(callStartingWith(held, "k1"));
      await("checkpoint after the first batch", () -> store.checkpoints().load("orders")
          .equals(Optional.of(Checkpoint.of("next", 11))));
      for (int call = 1; call <= 4; call++) {
        held.release(call);
      }
      assertThat(run.get(30, TimeUnit.SECONDS).checkpoint()).contains(Checkpoint.of("next", 41));
    }
  }

  /**
   * A transformation can turn one read record into many, so two batches in flight can start with
   * the same sequence number; finishing one must not make the other look settled.
   */
  @Test
  void twoBatchesStartingWithTheSameRecordAreTrackedSeparately() throws Exception {
    HeldDestination held = new HeldDestination();
    try (Sluice sluice = Sluice.builder().store(store).clock(time).sleeper(time)
        .destination("hook", held, d -> d.batchSize(10).linger(Duration.ofMinutes(1)).concurrency(2))
        .pipeline("orders", p -> p.source(ListConnector.of(2, 1)).route(r -> r
            .transform(rec -> IntStream.range(0, 20).mapToObj(i -> {
              ObjectNode copy = rec.data().deepCopy();
              copy.put("copy", i);
              return rec.withData(copy);
            }).toList())
            .to("hook")))
        .build()) {
      CommitLooks looks = CommitLooks.on(sluice, "orders");
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
      await("both halves of record 1 are in flight", () -> held.calls.size() == 2);
      assertThat(held.batches).allSatisfy(b -> assertThat(b.records()).extracting(Record::key).containsOnly("k1"));

      held.release(1);
      looks.await("the committer looked after the first half settled", l -> l.batchesSettled() == 1);
      assertThat(looks.committed()).as("half of record 1's copies are still in flight").isEmpty();
      assertThat(store.checkpoints().load("orders")).isEmpty();

      held.release(2);
      await("checkpoint after record 1", () -> store.checkpoints().load("orders")
          .equals(Optional.of(Checkpoint.of("next", 2))));
      held.release(3);
      held.release(4);
      RunReport report = run.get(30, TimeUnit.SECONDS);
      assertThat(report.delivered()).isEqualTo(40);
      assertThat(report.checkpoint()).contains(Checkpoint.of("next", 3));
    }
  }

  @Test
  void batchesAreCutByBytesAndAnOversizedRecordTravelsAlone() {
    RecordingDestination recording = new RecordingDestination();
    // {"pad":"xxxxxxxxxx"} is 20 bytes; the 6th record is 220 bytes.
    ListConnector source = new ListConnector(9, 9, Long.MAX_VALUE, i -> {
      ObjectNode n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      n.put("pad", "x".repeat(i == 6 ? 210 : 10));
      return n;
    });
    try (Sluice sluice = Sluice.builder().store(store).clock(time).sleeper(time)
        .destination("hook", recording, d -> d.batchSize(100).maxBatchBytes(60).linger(Duration.ofMinutes(1)))
        .pipeline("orders", p -> p.source(source).route(r -> r.to("hook")))
        .build()) {
      assertThat(sluice.run("orders").delivered()).isEqualTo(9);
    }
    List<List<String>> batches = new ArrayList<>();
    recording.batches.forEach(b -> batches.add(b.records().stream().map(Record::key).toList()));
    assertThat(batches).containsExactly(
        List.of("k1", "k2", "k3"), List.of("k4", "k5"), List.of("k6"), List.of("k7", "k8", "k9"));
  }

  private static int callStartingWith(HeldDestination held, String key) {
    for (int i = 0; i < held.batches.size(); i++) {
      if (held.batches.get(i).records().get(0).key().equals(key)) {
        return i + 1;
      }
    }
    throw new AssertionError("no batch starts with " + key);
  }
}
