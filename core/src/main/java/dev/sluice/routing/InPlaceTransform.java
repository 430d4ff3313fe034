package dev.sluice.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import java.util.List;

/**
 * A transformation that edits one record's data in place. The router hands it a private copy of
 * the data (made once per rule, however many in-place steps follow each other), which is how
 * copy-on-write stays cheap.
 *
 * <p>Thread-safety: immutable; {@link #applyInPlace} touches only the data it is given.
 */
public interface InPlaceTransform extends Transform {

  /**
   * Edits {@code data}, a copy owned by the caller.
   *
   * @param data the data to edit, a private copy owned by the caller
   * @param record the record the copy was made from (for its key and metadata), not to be changed
   * @throws RoutingException when the record can't be transformed
   */
  void applyInPlace(ObjectNode data, Record record);

  /** Standalone use: copies, edits the copy, returns one record. */
  @Override
  default List<Record> apply(Record record) {
    ObjectNode copy = record.data().deepCopy();
    applyInPlace(copy, record);
    return List.of(record.withData(copy));
  }
}
