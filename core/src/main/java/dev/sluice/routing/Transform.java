package dev.sluice.routing;

import dev.sluice.record.Record;
import java.util.List;

/**
 * Changes a record on its way to a rule's destinations.
 *
 * <p>Copy-on-write: never mutate the input record or its data; return new records (usually one;
 * several to split; none to drop). That is what keeps one route's changes out of another's.
 *
 * <p>Thread-safety: immutable, safe to call from many threads.
 */
@FunctionalInterface
public interface Transform {

  /**
   * Transforms one record.
   *
   * @param record the record to transform; not to be changed
   * @return the resulting records: usually one, several to split, none to drop
   * @throws RoutingException when the record can't be transformed
   */
  List<Record> apply(Record record);
}
