package dev.sluice.testing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A connector over generated records {@code 1..count}: checkpoint {@code {"next": n}} every
 * {@code checkpointEvery} records; optionally fails after {@code failAfter} records. Counts emits.
 */
public final class ListConnector implements Connector {
  private final long count;
  private final int checkpointEvery;
  private final long failAfter;
  private final LongFunction<ObjectNode> data;
  public final AtomicLong emitted = new AtomicLong();
  public final List<Checkpoint> startedFrom = new ArrayList<>();

  public ListConnector(long count, int checkpointEvery, long failAfter, LongFunction<ObjectNode> data) {
    this.count = count;
    this.checkpointEvery = checkpointEvery;
    this.failAfter = failAfter;
    this.data = data;
  }

  public static ListConnector of(long count, int checkpointEvery) {
    return new ListConnector(count, checkpointEvery, Long.MAX_VALUE, ListConnector::order);
  }

  /** {@code {"id": i, "amount": i * 10, "country": DE|AT|FR by i mod 3}}. */
  public static ObjectNode order(long i) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("id", i);
    n.put("amount", i * 10);
    n.put("country", new String[] {"DE", "AT", "FR"}[(int) (i % 3)]);
    return n;
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    synchronized (startedFrom) {
      startedFrom.add(from);
    }
    long start = from == null ? 1 : from.state().path("next").asLong();
    for (long i = start; i <= count; i++) {
      if (i > failAfter) {
        throw new IllegalStateException("source broke at record " + i);
      }
      emitter.emit(Record.of("k" + i, data.apply(i)));
      emitted.incrementAndGet();
      if (i % checkpointEvery == 0 || i == count) {
        emitter.checkpoint(Checkpoint.of("next", i + 1));
      }
    }
  }
}
