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

  /** A batch for tests and replays: attempt 1. */
  public static Batch of(String pipeline, String destination, String runId, List<Record> records) {
    return new Batch(pipeline, destination, runId, records, 1);
  }

  public String pipeline() {
    return pipeline;
  }

  public String destination() {
    return destination;
  }

  /** The run that produced these records; a replay has its own run id. */
  public String runId() {
    return runId;
  }

  public List<Record> records() {
    return records;
  }

  public int size() {
    return records.size();
  }

  public boolean isEmpty() {
    return records.isEmpty();
  }

  public Record get(int index) {
    return records.get(index);
  }

  /** 1 for the first attempt, 2 for the first retry, and so on. */
  public int attempt() {
    return attempt;
  }

  /** The idempotency key of the record at {@code index}; see {@link IdempotencyKeys}. */
  public String idempotencyKey(int index) {
    return IdempotencyKeys.of(pipeline, records.get(index).key());
  }

  /** The same records, one attempt later. */
  public Batch nextAttempt() {
    return new Batch(pipeline, destination, runId, records, attempt + 1);
  }

  /** A batch of the records at the given indexes, same attempt. */
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
