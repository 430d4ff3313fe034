package dev.sluice.testkit;

import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Emitter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An {@link Emitter} that keeps everything it is given, in order, for assertions. Optionally
 * throws {@link InterruptedException} once a number of records was emitted, to test cancellation.
 *
 * <p>Thread-safe.
 */
public final class CollectingEmitter implements Emitter {
  /** One thing the connector emitted. */
  public sealed interface Item permits Emitted, Checkpointed, Rejected {}

  /** A record. */
  public record Emitted(Record record) implements Item {}

  /** A checkpoint, with how many records came before it. */
  public record Checkpointed(Checkpoint checkpoint, int recordsBefore) implements Item {}

  /** Rejected input. */
  public record Rejected(String raw, String location, String reason) implements Item {}

  private final List<Item> items = new ArrayList<>();
  private final int interruptAfter;
  private int records;
  private boolean interrupted;
  private int callsAfterInterrupt;

  /** An emitter that never interrupts. */
  public CollectingEmitter() {
    this(Integer.MAX_VALUE);
  }

  /** @param interruptAfter emitting record number {@code interruptAfter + 1} throws */
  public CollectingEmitter(int interruptAfter) {
    this.interruptAfter = interruptAfter;
  }

  @Override
  public synchronized void emit(Record record) throws InterruptedException {
    if (interrupted) {
      callsAfterInterrupt++;
      throw new InterruptedException("cancelled by the test (again)");
    }
    if (records >= interruptAfter) {
      interrupted = true;
      throw new InterruptedException("cancelled by the test after " + interruptAfter + " records");
    }
    items.add(new Emitted(record));
    records++;
  }

  @Override
  public synchronized void checkpoint(Checkpoint checkpoint) throws InterruptedException {
    if (interrupted) {
      callsAfterInterrupt++;
      throw new InterruptedException("cancelled by the test (again)");
    }
    items.add(new Checkpointed(checkpoint, records));
  }

  @Override
  public synchronized void reject(String raw, String location, String reason) {
    items.add(new Rejected(raw, location, reason));
  }

  /**
   * Everything given so far, in order.
   *
   * @return a snapshot, unmodifiable
   */
  public synchronized List<Item> items() {
    return Collections.unmodifiableList(new ArrayList<>(items));
  }

  /**
   * The records emitted so far, in order.
   *
   * @return a new list
   */
  public synchronized List<Record> records() {
    return items.stream().filter(i -> i instanceof Emitted).map(i -> ((Emitted) i).record()).toList();
  }

  /**
   * The checkpoints emitted so far, in order.
   *
   * @return a new list
   */
  public synchronized List<Checkpointed> checkpoints() {
    return items.stream().filter(i -> i instanceof Checkpointed).map(i -> (Checkpointed) i).toList();
  }

  /**
   * The input rejected so far, in order.
   *
   * @return a new list
   */
  public synchronized List<Rejected> rejected() {
    return items.stream().filter(i -> i instanceof Rejected).map(i -> (Rejected) i).toList();
  }

  /**
   * How many emit or checkpoint calls came after the interruption: a well-behaved connector makes
   * none.
   *
   * @return the count; 0 for a connector that stops when interrupted
   */
  public synchronized int callsAfterInterrupt() {
    return callsAfterInterrupt;
  }
}
