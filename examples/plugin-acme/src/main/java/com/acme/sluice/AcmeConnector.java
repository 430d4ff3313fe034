package com.acme.sluice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;

/**
 * Reads items {@code 1..count} in order. A real connector would page through an API here; the
 * shape stays the same: emit records in order, emit a checkpoint after which everything before is
 * safe to forget, stop when cancelled, let {@link InterruptedException} through.
 *
 * <p>Thread-safe: one instance serves every run of its pipeline, and runs may overlap, so all the
 * state of a read lives on the stack of {@code read}.
 */
final class AcmeConnector implements Connector {
  static final String POSITION = "position";

  private final long count;
  private final String keyPrefix;
  private final int checkpointEvery;

  AcmeConnector(long count, String keyPrefix, int checkpointEvery) {
    this.count = count;
    this.keyPrefix = keyPrefix;
    this.checkpointEvery = checkpointEvery;
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    long position = position(from);
    long sinceCheckpoint = 0;
    for (long id = position + 1; id <= count; id++) {
      if (context.isCancelled()) {
        return;
      }
      ObjectNode data = JsonNodeFactory.instance.objectNode();
      data.put("id", id);
      data.put("name", "item " + id);
      data.put("price", id * 10);
      emitter.emit(Record.builder(keyPrefix + id, data).source("acme").observedAt(context.clock().instant()).build());
      position = id;
      if (++sinceCheckpoint == checkpointEvery) {
        emitter.checkpoint(Checkpoint.of(POSITION, position));
        sinceCheckpoint = 0;
      }
    }
    // The last thing a read emits is a checkpoint covering every record (also when none was new).
    emitter.checkpoint(Checkpoint.of(POSITION, position));
  }

  private static long position(Checkpoint from) {
    if (from == null) {
      return 0;
    }
    JsonNode p = from.state().get(POSITION);
    if (p == null || !p.canConvertToLong()) {
      throw new IllegalArgumentException("acme checkpoint without a numeric '" + POSITION + "': " + from);
    }
    return p.asLong();
  }
}
