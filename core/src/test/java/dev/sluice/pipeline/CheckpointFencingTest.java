package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.Sluice;
import dev.sluice.record.Batch;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.store.InMemoryStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Overlapping runs of one pipeline never move its checkpoint backwards. */
@Timeout(60)
class CheckpointFencingTest {
  private final InMemoryStore store = new InMemoryStore();

  /** Reads {@code k<from>..k<upTo>} (upTo from the run's parameters), then a checkpoint after the last. */
  private static final Connector UP_TO = (ctx, from, out) -> {
    long start = from == null ? 1 : from.state().path("next").asLong();
    long upTo = ctx.parameters().path("upTo").asLong();
    for (long i = start; i <= upTo; i++) {
      out.emit(Record.of("k" + i, JsonNodeFactory.instance.objectNode().put("i", i)));
    }
    out.checkpoint(Checkpoint.of("next", upTo + 1));
  };

  @Test
  void aRunThatCommitsAfterANewerCommitOfAnOverlappingRunDoesNotMoveTheCheckpointBack() throws Exception {
    CountDownLatch slowRunDelivering = new CountDownLatch(1);
    CountDownLatch releaseSlowRun = new CountDownLatch(1);
    Destination sink = new Destination() {
      @Override
      public DeliveryResult deliver(Batch batch) throws InterruptedException {
        if (batch.size() == 10) { // the slow run's batch: k1..k10
          slowRunDelivering.countDown();
          releaseSlowRun.await();
        }
        return DeliveryResult.success();
      }
    };
    try (Sluice sluice = Sluice.builder().store(store).destination("sink", sink)
        .pipeline("orders", p -> p.source(UP_TO).route(r -> r.to("sink")))
        .build()) {
      // The slow run loads "no checkpoint", reads k1..k10 and is held while delivering them.
      CompletableFuture<RunReport> slow = CompletableFuture.supplyAsync(() ->
          sluice.run("orders", "api", JsonNodeFactory.instance.objectNode().put("upTo", 10), null));
      assertThat(slowRunDelivering.await(20, TimeUnit.SECONDS)).isTrue();
      // Meanwhile a second run, which also started from no checkpoint, reads further and commits.
      RunReport fast = sluice.run("orders", "api", JsonNodeFactory.instance.objectNode().put("upTo", 20), null);
      assertThat(fast.checkpoint()).contains(Checkpoint.of("next", 21));
      assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 21));

      releaseSlowRun.countDown();
      RunReport late = slow.get(30, TimeUnit.SECONDS);

      assertThat(store.checkpoints().load("orders")).as("the checkpoint never goes back")
          .contains(Checkpoint.of("next", 21));
      assertThat(late.checkpoint()).as("the slow run committed nothing").isEmpty();
    }
  }
}
