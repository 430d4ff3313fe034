package dev.sluice.testing;

import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps what it receives. A {@link Behaviour} decides each delivery's outcome; a gate (semaphore)
 * can hold deliveries until the test releases them.
 */
public final class RecordingDestination implements Destination {
  /** Decides the outcome of one delivery attempt. */
  @FunctionalInterface
  public interface Behaviour {
    DeliveryResult deliver(Batch batch, int call) throws Exception;
  }

  public final List<Record> received = new CopyOnWriteArrayList<>();
  public final List<Batch> batches = new CopyOnWriteArrayList<>();
  public final List<String> finishedRuns = new CopyOnWriteArrayList<>();
  public final AtomicInteger calls = new AtomicInteger();
  private volatile Behaviour behaviour = (b, c) -> DeliveryResult.success();
  private volatile Semaphore gate;
  private volatile long delayNanos;

  public RecordingDestination behave(Behaviour value) {
    this.behaviour = value;
    return this;
  }

  /** Deliveries wait for a permit; release permits with {@link Semaphore#release(int)}. */
  public Semaphore gate() {
    Semaphore g = new Semaphore(0);
    this.gate = g;
    return g;
  }

  public RecordingDestination delayPerBatch(long nanos) {
    this.delayNanos = nanos;
    return this;
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws Exception {
    Semaphore g = gate;
    if (g != null) {
      g.acquire();
    }
    if (delayNanos > 0) {
      Thread.sleep(delayNanos / 1_000_000, (int) (delayNanos % 1_000_000));
    }
    batches.add(batch);
    DeliveryResult result = behaviour.deliver(batch, calls.incrementAndGet());
    List<Record> ok = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      if (!result.failures().containsKey(i)) {
        ok.add(batch.get(i));
      }
    }
    received.addAll(ok);
    return result;
  }

  @Override
  public void finishRun(RunInfo run, boolean succeeded) {
    finishedRuns.add(run.runId() + ":" + succeeded);
  }

  public List<String> receivedKeys() {
    return received.stream().map(Record::key).toList();
  }
}
