package dev.sluice.routing;

import dev.sluice.record.Record;

/**
 * Decides whether a rule applies to a record. Compiled once when the pipeline is built.
 *
 * <p>Thread-safety: implementations are immutable and safe to call from many threads.
 */
@FunctionalInterface
public interface Condition {

  /** A condition that matches every record. */
  Condition ALWAYS = record -> true;

  /**
   * Tests one record.
   *
   * @param record the record to test; not changed
   * @return whether the rule applies to {@code record}
   * @throws RoutingException when the record can't be evaluated (the pipeline's error policy then
   *     dead-letters the record or fails the run)
   */
  boolean test(Record record);
}
