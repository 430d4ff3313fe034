package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.CheckpointStore;
import dev.sluice.store.DeadLetterStore;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunRecord;
import dev.sluice.store.RunStore;
import dev.sluice.store.Store;
import dev.sluice.store.StoredCheckpoint;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A slow checkpoint commit (one database round trip) does not hold up delivery. */
@Timeout(60)
class SlowCommitTest {
  private final InMemoryStore memory = new InMemoryStore();
  private final CountDownLatch commitsMayFinish = new CountDownLatch(1);
  private final CountDownLatch aCommitIsWaiting = new CountDownLatch(1);
  private final List<Long> committedInOrder = new CopyOnWriteArrayList<>();

  /** The in-memory store, except that checkpoint commits wait until the test lets them finish. */
  private final Store slowStore = new Store() {
    @Override
    public CheckpointStore checkpoints() {
      return new CheckpointStore() {
        @Override
        public Optional<StoredCheckpoint> position(String pipeline) {
          return memory.checkpoints().position(pipeline);
        }

        @Override
        public Optional<StoredCheckpoint> commit(
            String pipeline, Checkpoint checkpoint, StoredCheckpoint expected, RunRecord progress) {
          aCommitIsWaiting.countDown();
          try {
            commitsMayFinish.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          committedInOrder.add(checkpoint.state().path("next").asLong());
          return memory.checkpoints().commit(pipeline, checkpoint, expected, progress);
        }

        @Override
        public void reset(String pipeline) {
          memory.checkpoints().reset(pipeline);
        }
      };
    }

    @Override
    public RunStore runs() {
      return memory.runs();
    }

    @Override
    public DeadLetterStore deadLetters() {
      return memory.deadLetters();
    }



  };

  @Test
  void deliveryGoesOnWhileACheckpointCommitWaitsForTheStore() throws Exception {
    RecordingDestination hook = new RecordingDestination();
    try (Sluice sluice = Sluice.builder().store(slowStore)
        .destination("hook", hook, d -> d.batchSize(10).linger(Duration.ZERO).concurrency(2))
        .pipeline("orders", p -> p.source(ListConnector.of(200, 10)).route(r -> r.to("hook")))
        .build()) {
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("orders"));
      try {
        assertThat(aCommitIsWaiting.await(20, TimeUnit.SECONDS)).isTrue();

        Eventually.await("every record is delivered while the first commit still waits",
            () -> hook.received.size() == 200);
      } finally {
        commitsMayFinish.countDown();
      }
      RunReport report = run.get(30, TimeUnit.SECONDS);
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(memory.checkpoints().load("orders")).contains(Checkpoint.of("next", 201));
      assertThat(committedInOrder).as("one committer: commits in order, the newest committable each time")
          .isSortedAccordingTo(Long::compare).doesNotHaveDuplicates().endsWith(201L);
    }
  }
}
