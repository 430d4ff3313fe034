package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.testing.ListConnector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Destinations that write JSON get records the engine encoded once, ahead, on its routing thread;
 * a record fanned out to two of them is encoded once, and destinations that do not ask are left
 * alone.
 */
class EncodeAheadTest {

  /** A value that counts how often, and on which threads, Jackson writes it. */
  static final class Probe implements JsonSerializable {
    final AtomicInteger writes = new AtomicInteger();
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final long id;

    Probe(long id) {
      this.id = id;
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
      writes.incrementAndGet();
      threads.add(Thread.currentThread().getName());
      gen.writeNumber(id);
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer t) throws IOException {
      serialize(gen, serializers);
    }
  }

  /** Writes each record through {@link Record#writeJsonTo} and notes the delivering threads. */
  static final class JsonSink implements Destination {
    final boolean asks;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    JsonSink(boolean asks) {
      this.asks = asks;
    }

    @Override
    public DeliveryResult deliver(Batch batch) throws IOException {
      threads.add(Thread.currentThread().getName());
      for (Record r : batch.records()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.writeJsonTo(out);
        lines.add(out.toString(StandardCharsets.UTF_8));
      }
      return DeliveryResult.success();
    }

    @Override
    public boolean writesRecordsAsJson() {
      return asks;
    }
  }

  @Test
  void recordsAreEncodedOnceOnTheRoutingThreadForDestinationsThatAsk() {
    Map<Long, Probe> probes = new ConcurrentHashMap<>();
    ListConnector source = new ListConnector(200, 50, Long.MAX_VALUE, i -> {
      ObjectNode n = ListConnector.order(i);
      n.putPOJO("probe", probes.computeIfAbsent(i, Probe::new));
      return n;
    });
    JsonSink a = new JsonSink(true);
    JsonSink b = new JsonSink(true);
    try (Sluice sluice = Sluice.builder().destination("a", a).destination("b", b)
        .pipeline("p", p -> p.source(source).route(r -> r.name("both").to("a", "b")))
        .build()) {
      String routingThread = Thread.currentThread().getName(); // run() routes on the caller's thread
      assertThat(sluice.run("p").succeeded()).isTrue();
      assertThat(probes).hasSize(200);
      probes.values().forEach(p -> {
        assertThat(p.writes).as("record %d encoded once for two destinations", p.id).hasValue(1);
        assertThat(p.threads).as("record %d encoded while routing", p.id).containsExactly(routingThread);
      });
    }
    assertThat(a.threads).doesNotContain(Thread.currentThread().getName());
    assertThat(a.lines).hasSize(200).contains("{\"id\":7,\"amount\":70,\"country\":\"AT\",\"probe\":7}");
    assertThat(b.lines).containsExactlyInAnyOrderElementsOf(a.lines);
  }

  @Test
  void destinationsThatDoNotAskEncodeOnlyIfTheyWriteJson() {
    Map<Long, Probe> probes = new ConcurrentHashMap<>();
    ListConnector source = new ListConnector(50, 10, Long.MAX_VALUE, i -> {
      ObjectNode n = ListConnector.order(i);
      n.putPOJO("probe", probes.computeIfAbsent(i, Probe::new));
      return n;
    });
    JsonSink lazy = new JsonSink(false);
    try (Sluice sluice = Sluice.builder().destination("lazy", lazy)
        .pipeline("p", p -> p.source(source).route(r -> r.to("lazy")))
        .build()) {
      String routingThread = Thread.currentThread().getName();
      assertThat(sluice.run("p").succeeded()).isTrue();
      probes.values().forEach(p -> {
        assertThat(p.writes).hasValue(1);
        assertThat(p.threads).as("encoded by the destination, not ahead").doesNotContain(routingThread);
      });
    }
    assertThat(lazy.lines).hasSize(50);
  }
}
