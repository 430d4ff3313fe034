package dev.sluice.destinations.prometheus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.RunInfo;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shared helpers: a clock tests move by hand, a plugin context, YAML configs, records. */
final class TestSupport {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

  private TestSupport() {}

  /** A clock that moves only when told. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static PluginContext context(String name, Clock clock) {
    Store store = new InMemoryStore();
    MeterRegistry meters = new SimpleMeterRegistry();
    Logger log = LoggerFactory.getLogger("sluice.destination." + name);
    return new PluginContext() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public PluginKind kind() {
        return PluginKind.DESTINATION;
      }

      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public MeterRegistry meterRegistry() {
        return meters;
      }

      @Override
      public ObjectMapper objectMapper() {
        return JSON;
      }

      @Override
      public Logger logger() {
        return log;
      }

      @Override
      public Store store() {
        return store;
      }
    };
  }

  static PluginConfig config(String yaml) {
    try {
      return new PluginConfig("destination 'metrics' (type prometheus)", (ObjectNode) YAML.readTree(yaml));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PrometheusDestination create(String yaml, Clock clock) {
    return (PrometheusDestination) new PrometheusDestinationProvider().create(config(yaml), context("metrics", clock));
  }

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Record record(String key, String json) {
    return Record.builder(key, json(json)).source("test").observedAt(Instant.EPOCH).build();
  }

  /** GA4 Data API runReport rows flattened by the ga4 connector: dimension and metric values as strings. */
  static List<Record> ga4Rows(String... channelAndSessions) {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < channelAndSessions.length; i += 2) {
      ObjectNode row = JSON.createObjectNode().put("sessionDefaultChannelGroup", channelAndSessions[i])
          .put("sessions", channelAndSessions[i + 1]);
      out.add(Record.builder("ga4-" + channelAndSessions[i], row).source("ga4").observedAt(Instant.EPOCH).build());
    }
    return out;
  }

  static Batch batch(String pipeline, String runId, List<Record> records) {
    return Batch.of(pipeline, "metrics", runId, records);
  }

  static RunInfo run(String pipeline, String runId) {
    return new RunInfo(pipeline, runId, Instant.EPOCH);
  }

  static String newRun() {
    return UUID.randomUUID().toString();
  }

  static String text(PrometheusDestination d) {
    return new String(d.scrape(null).body(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
