package dev.sluice.spi;

import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;

/**
 * Where a {@link Connector} sends what it reads during one run.
 *
 * <p>Thread-safety: calls from several threads are allowed but their relative order is then
 * undefined; connectors normally emit from the thread that called {@code read}. Nullability: no
 * argument may be null.
 */
public interface Emitter {

  /**
   * Hands one record downstream; blocks while the run's bounded queue is full.
   *
   * @param record the record; the connector must not change it afterwards
   * @throws InterruptedException when the run is cancelled while waiting
   */
  void emit(Record record) throws InterruptedException;

  /**
   * Marks that every record emitted so far is covered by {@code checkpoint}. The engine stores it
   * once all those records are delivered or dead-lettered.
   *
   * @param checkpoint where a later run resumes
   * @throws InterruptedException when the run is cancelled while waiting for queue space
   */
  void checkpoint(Checkpoint checkpoint) throws InterruptedException;

  /**
   * Keeps input that could not be turned into a record (a malformed line, a row of the wrong
   * shape) as a dead letter, so nothing is lost silently.
   *
   * @param raw the input as read (truncated by the store if huge)
   * @param location where it was found, e.g. {@code "orders.jsonl:17"}
   * @param reason why it was rejected, e.g. the parser's message
   * @throws InterruptedException when the run is cancelled while waiting for queue space
   */
  void reject(String raw, String location, String reason) throws InterruptedException;
}
