package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.delivery.Sleeper;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.internal.Json;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.ReadContext;
import dev.sluice.spi.RequestLog;
import dev.sluice.store.InMemoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** Builds http connectors from YAML options and runs reads, collecting everything they emit, log and report. */
final class Harness {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A secret store in a map. */
  static final class MapSecrets implements PluginSecrets {
    final Map<String, String> values = new ConcurrentHashMap<>();
    final List<String> writes = new CopyOnWriteArrayList<>();
    volatile RuntimeException failWrites;

    MapSecrets with(String name, String value) {
      values.put(name, value);
      return this;
    }

    @Override
    public Optional<String> get(String name) {
      return Optional.ofNullable(values.get(name));
    }

    @Override
    public void put(String name, String value) {
      if (failWrites != null) {
        throw failWrites;
      }
      writes.add(name);
      values.put(name, value);
    }
  }

  static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) YAML.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static HttpConnector connector(String yaml, Clock clock, Sleeper sleeper, PluginSecrets secrets) {
    DefaultPluginContext context = new DefaultPluginContext("p", PluginKind.CONNECTOR, clock,
        new SimpleMeterRegistry(), Json.newMapper(), new InMemoryStore(clock), secrets);
    return (HttpConnector) new HttpConnectorProvider().create(
        new PluginConfig("pipeline 'p' source (type http)", yaml(yaml)), context, sleeper, new Random(42));
  }

  /** Everything one read emitted, logged and reported. */
  static final class Run implements Emitter, ReadContext, RequestLog {
    final List<Object> items = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final Clock clock;
    final JsonNode params;
    volatile boolean cancelled;
    volatile int cancelAfterRecords = -1;

    Run(Clock clock, JsonNode params) {
      this.clock = clock;
      this.params = params == null ? JsonNodeFactory.instance.objectNode() : params;
    }

    record Rejected(String raw, String location, String reason) {}

    List<Record> records() {
      return items.stream().filter(i -> i instanceof Record).map(i -> (Record) i).toList();
    }

    List<String> keys() {
      return records().stream().map(Record::key).toList();
    }

    List<JsonNode> checkpoints() {
      return items.stream().filter(i -> i instanceof Checkpoint).map(i -> ((Checkpoint) i).state()).toList();
    }

    JsonNode lastCheckpoint() {
      List<JsonNode> c = checkpoints();
      return c.isEmpty() ? null : c.get(c.size() - 1);
    }

    List<Rejected> rejected() {
      return items.stream().filter(i -> i instanceof Rejected).map(i -> (Rejected) i).toList();
    }

    /** Everything a person could see: reports, log lines. */
    String everythingShown() {
      List<String> all = new ArrayList<>(requests);
      all.addAll(logLines);
      return String.join("\n", all);
    }

    @Override
    public void emit(Record record) {
      items.add(record);
      if (cancelAfterRecords >= 0 && records().size() >= cancelAfterRecords) {
        cancelled = true;
      }
    }

    @Override
    public void checkpoint(Checkpoint checkpoint) {
      items.add(checkpoint);
    }

    @Override
    public void reject(String raw, String location, String reason) {
      items.add(new Rejected(raw, location, reason));
    }

    @Override
    public String pipeline() {
      return "p";
    }

    @Override
    public String runId() {
      return "run-1";
    }

    @Override
    public JsonNode parameters() {
      return params.deepCopy();
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public Logger logger() {
      return new RecordingLogger(logLines);
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public RequestLog requestLog() {
      return this;
    }

    @Override
    public void request(String method, String target, String outcome) {
      requests.add(method + " " + target + " -> " + outcome);
    }
  }

  static Run read(HttpConnector connector, Clock clock, Checkpoint from) throws Exception {
    return read(connector, clock, from, null);
  }

  static Run read(HttpConnector connector, Clock clock, Checkpoint from, JsonNode params) throws Exception {
    Run run = new Run(clock, params);
    connector.read(run, from, run);
    return run;
  }

  /** A logger at every level that keeps the formatted lines. */
  static final class RecordingLogger extends AbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient List<String> lines;

    RecordingLogger(List<String> lines) {
      this.lines = lines;
      this.name = "test";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
        Throwable throwable) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(messagePattern, arguments)
          + (throwable == null ? "" : " " + throwable));
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }
  }

  private Harness() {}
}
