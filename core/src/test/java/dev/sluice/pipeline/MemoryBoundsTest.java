package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.Sluice;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.RecordingDestination;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a run holds in memory is bounded by bytes, not only by record counts. */
@Timeout(60)
class MemoryBoundsTest {
  private static final int BLOB = 256 * 1024;
  /** Shared by every record: the records are big by their JSON size, the test's heap is not. */
  private static final String BIG = "x".repeat(BLOB);
  private final InMemoryStore store = new InMemoryStore();

  /** {@code count} records of about 256 KB each; knows how far it is ahead of the destination. */
  static final class BigRecords implements Connector {
    final long count;
    final RecordingDestination destination;
    final AtomicLong emitted = new AtomicLong();
    final AtomicLong maxAhead = new AtomicLong();
    volatile Thread reader;
    volatile boolean insideEmit;

    BigRecords(long count, RecordingDestination destination) {
      this.count = count;
      this.destination = destination;
    }

    @Override
    public void read(dev.sluice.spi.ReadContext ctx, Checkpoint from, dev.sluice.spi.Emitter out) throws Exception {
      reader = Thread.currentThread();
      for (long i = 1; i <= count; i++) {
        // Emitted and not yet acknowledged, including the one being handed over now.
        maxAhead.accumulateAndGet(i - destination.received.size(), Math::max);
        insideEmit = true;
        out.emit(Record.of("k" + i, JsonNodeFactory.instance.objectNode().put("i", i).put("blob", BIG)));
        insideEmit = false;
        emitted.incrementAndGet();
        if (i % 100 == 0) {
          out.checkpoint(Checkpoint.of("next", i + 1));
        }
      }
    }

    /** The reader waits inside emit: the run holds all it may. */
    boolean blocked() {
      Thread t = reader;
      return t != null && insideEmit && t.getState() == Thread.State.WAITING;
    }
  }

  /**
   * Runs {@code count} big records into a gated destination until the source is held back, then
   * lets everything through; returns how many records were read and not delivered at that point.
   */
  private long heldWhenBlocked(Sluice.Builder builder, BigRecords source, Semaphore gate) throws Exception {
    try (Sluice sluice = builder.build()) {
      CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> sluice.run("big"));
      Eventually.await("the source is held back", source::blocked);
      long ahead = source.emitted.get() - source.destination.received.size();
      gate.release(Integer.MAX_VALUE / 2);
      assertThat(run.get(30, TimeUnit.SECONDS).delivered()).isEqualTo(source.count);
      return ahead;
    }
  }

  @Test
  void bigRecordsAreHeldBackByBytesBeforeTheCountLimitsAreReached() throws Exception {
    RecordingDestination slow = new RecordingDestination();
    Semaphore gate = slow.gate();
    BigRecords source = new BigRecords(3000, slow);
    long aheadWhenBlocked = heldWhenBlocked(Sluice.builder().store(store).destination("slow", slow)
        .pipeline("big", p -> p.source(source).route(r -> r.to("slow"))), source, gate);

    long perRecord = BLOB + 30;
    long bound = (64L << 20) /* read queue */ + (64L << 20) /* buffer */ + (64L << 20) /* batch in flight */;
    assertThat(aheadWhenBlocked * perRecord).as("bytes held when the source was blocked").isLessThanOrEqualTo(bound);
    assertThat(source.maxAhead.get() * perRecord).as("bytes held at most").isLessThanOrEqualTo(bound + 2 * perRecord);
  }

  @Test
  void configuredByteLimitsBoundWhatARunHolds() throws Exception {
    RecordingDestination slow = new RecordingDestination();
    Semaphore gate = slow.gate();
    BigRecords source = new BigRecords(500, slow);
    long aheadWhenBlocked = heldWhenBlocked(Sluice.builder().store(store)
        .destination("slow", slow, d -> d.bufferBytes(1 << 20))
        .pipeline("big", p -> p.source(source).queueBytes(1 << 20).route(r -> r.to("slow"))), source, gate);

    // 1 MiB each: read queue, destination buffer, and the batch in flight (cut from the buffer).
    long perRecord = BLOB + 30;
    assertThat(aheadWhenBlocked).as("records held when the source was blocked")
        .isLessThanOrEqualTo(3 * ((1 << 20) / perRecord + 1));
    assertThat(source.maxAhead.get()).isLessThanOrEqualTo(3 * ((1 << 20) / perRecord + 1) + 2);
  }

  @Test
  void aRecordBiggerThanEveryByteLimitStillPassesAloneAndSmallOnesFollow() throws Exception {
    String huge = "y".repeat(3 << 20); // 3 MiB, over the 1 MiB limits
    RecordingDestination out = new RecordingDestination();
    Connector mixed = (ctx, from, emitter) -> {
      for (long i = 1; i <= 6; i++) {
        emitter.emit(Record.of("big" + i, JsonNodeFactory.instance.objectNode().put("blob", huge)));
      }
      for (long i = 1; i <= 20; i++) {
        emitter.emit(Record.of("small" + i, JsonNodeFactory.instance.objectNode().put("i", i)));
      }
      emitter.checkpoint(Checkpoint.of("next", 27));
    };
    try (Sluice sluice = Sluice.builder().store(store)
        .destination("out", out, d -> d.bufferBytes(1 << 20).linger(java.time.Duration.ZERO))
        .pipeline("huge", p -> p.source(mixed).queueBytes(1 << 20).route(r -> r.to("out")))
        .build()) {
      RunReport report = sluice.run("huge");

      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.delivered()).isEqualTo(26);
      assertThat(out.batches).as("each big record travels in a batch of its own")
          .filteredOn(b -> b.records().stream().anyMatch(r -> r.key().startsWith("big")))
          .hasSize(6).allSatisfy(b -> assertThat(b.records()).hasSize(1));
      assertThat(store.checkpoints().load("huge")).contains(Checkpoint.of("next", 27));
    }
  }
}
