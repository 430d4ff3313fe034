package dev.sluice.record;

import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Records handed to one destination in one delivery attempt.
 *
 * <p>The destination acknowledges or fails the whole batch, or reports failures per record
 * (by index) where its protocol tells which records failed. Records are in the order the source
 * emitted them. A batch can be delivered again after a failure or on replay of a dead letter;
 * {@link #idempotencyKey(int)} stays the same across such attempts.
 *
 * <p>Immutable and thread-safe. Never empty when the engine hands it over, but destinations must
 * accept an empty batch (the testkit checks that).
 */
public final class Batch implements Iterable<Record> {
  private final String pipeline;
  private final String destination;
  private final String runId;
  private final List<Record> records;
  private final int attempt;

  /**
   * Creates a batch.
   *
   * @param pipeline the pipeline the records come from
   * @param destination the destination's name
   * @param runId the run that produced the records
   * @param records the records, in source order (copied)
   * @param attempt the delivery attempt, counting from 1
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when {@code attempt} is under 1
   */
  public Batch(String pipeline, String destination, String runId, List<Record> records, int attempt) {
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.destination = Objects.requireNonNull(destination, "destination");
    this.runId = Objects.requireNonNull(runId, "runId");
    this.records = List.copyOf(records);
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt counts from 1, got " + attempt);
    }
    this.attempt = attempt;
  }

  /**
   * A batch for tests and replays: attempt 1.
   *
   * @param pipeline the pipeline the records come from
   * @param destination the destination's name
   * @param runId the run that produced the records
   * @param records the records (copied)
   * @return the batch
   */
  public static Batch of(String pipeline, String destination, String runId, List<Record> records) {
    return new Batch(pipeline, destination, runId, records, 1);
  }

  /**
   * The pipeline the records come from.
   *
   * @return the pipeline's name, never null
   */
  public String pipeline() {
    return pipeline;
  }

  /**
   * The destination the batch is for.
   *
   * @return the destination's name, never null
   */
  public String destination() {
    return destination;
  }

  /**
   * The run that produced these records; a replay has its own run id.
   *
   * @return the run id, never null
   */
  public String runId() {
    return runId;
  }

  /**
   * The records, in the order the source emitted them.
   *
   * @return an unmodifiable list
   */
  public List<Record> records() {
    return records;
  }

  /**
   * The number of records.
   *
   * @return the size, at least 0
   */
  public int size() {
    return records.size();
  }

  /**
   * Whether the batch holds no record.
   *
   * @return true when empty
   */
  public boolean isEmpty() {
    return records.isEmpty();
  }

  /**
   * The record at {@code index}.
   *
   * @param index zero-based, below {@link #size()}
   * @return the record
   * @throws IndexOutOfBoundsException when {@code index} is out of range
   */
  public Record get(int index) {
    return records.get(index);
  }

  /**
   * 1 for the first attempt, 2 for the first retry, and so on.
   *
   * @return the attempt, at least 1
   */
  public int attempt() {
    return attempt;
  }

  /**
   * The idempotency key of the record at {@code index}; see {@link IdempotencyKeys}.
   *
   * @param index zero-based, below {@link #size()}
   * @return 32 lower-case hex characters, stable across attempts and replays
   */
  public String idempotencyKey(int index) {
    return IdempotencyKeys.of(pipeline, records.get(index).key());
  }

  /**
   * The same records, one attempt later.
   *
   * @return a new batch with {@link #attempt()} one higher
   */
  public Batch nextAttempt() {
    return new Batch(pipeline, destination, runId, records, attempt + 1);
  }

  /**
   * A batch of the records at the given indexes, same attempt.
   *
   * @param indexes zero-based indexes into this batch, in the order wanted
   * @return a new batch
   * @throws IndexOutOfBoundsException when an index is out of range
   */
  public Batch subset(List<Integer> indexes) {
    return new Batch(
        pipeline, destination, runId, indexes.stream().map(records::get).toList(), attempt);
  }

  @Override
  public Iterator<Record> iterator() {
    return records.iterator();
  }

  @Override
  public String toString() {
    return "Batch{pipeline=" + pipeline + ", destination=" + destination + ", run=" + runId
        + ", size=" + records.size() + ", attempt=" + attempt + "}";
  }
}
