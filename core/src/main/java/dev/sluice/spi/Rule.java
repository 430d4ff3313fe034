package dev.sluice.spi;

import dev.sluice.record.Record;
import java.util.List;

/**
 * A custom routing step written in Java and contributed by a plugin: a condition, a
 * transformation, or both. Configurations use it by type, as a condition ({@code when: { rule:
 * my-check }}) or as a step in a rule's {@code transform} list.
 *
 * <p>Thread-safety: called concurrently by every run of every pipeline that uses it; keep no
 * mutable state. Must not mutate the record it receives: copy {@code record.data()} before
 * changing it and return {@code record.withData(copy)}.
 *
 * <p>A thrown exception is handled by the pipeline's error policy (dead-letter the record or fail
 * the run); it never drops the record silently.
 */
public interface Rule {

  /**
   * Whether the record matches, when used as a condition. The default matches everything.
   *
   * @param record the record; not to be changed
   * @return whether the record matches
   * @throws Exception when the record can't be evaluated; the error policy handles it
   */
  default boolean matches(Record record) throws Exception {
    return true;
  }

  /**
   * The records to continue with, when used as a transformation: usually one (changed or not),
   * several to split a record, none to drop it. The default returns the record unchanged.
   *
   * @param record the record; not to be changed
   * @return the resulting records
   * @throws Exception when the record can't be transformed; the error policy handles it
   */
  default List<Record> apply(Record record) throws Exception {
    return List.of(record);
  }
}
