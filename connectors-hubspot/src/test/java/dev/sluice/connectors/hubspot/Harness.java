package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.delivery.Sleeper;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.ReadContext;
import dev.sluice.spi.RequestLog;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** Builds hubspot connectors against the stub, with a clock only the test sleeper moves, and runs reads. */
final class Harness {
  static final ObjectMapper JSON = new ObjectMapper();

  /** A clock that moves only when the sleeper sleeps. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2024-06-01T12:00:00Z");

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

  /** Records every wait and moves the clock instead of sleeping. */
  static final class TestSleeper implements Sleeper {
    final List<Duration> waits = new CopyOnWriteArrayList<>();
    final TestClock clock;

    TestSleeper(TestClock clock) {
      this.clock = clock;
    }

    @Override
    public void sleep(Duration d) {
      waits.add(d);
      clock.now = clock.now.plus(d);
    }
  }

  /** A secret store in a map, recording writes. */
  static final class MapSecrets implements PluginSecrets {
    final Map<String, String> values = new ConcurrentHashMap<>();
    final List<String> writes = new CopyOnWriteArrayList<>();

    @Override
    public Optional<String> get(String name) {
      return Optional.ofNullable(values.get(name));
    }

    @Override
    public void put(String name, String value) {
      writes.add(name);
      values.put(name, value);
    }
  }

  /** A plugin context for one connector. */
  static final class Context implements PluginContext {
    final Clock clock;
    final MeterRegistry meters = new SimpleMeterRegistry();
    final PluginSecrets secrets;
    final List<String> logLines = new CopyOnWriteArrayList<>();

    Context(Clock clock, PluginSecrets secrets) {
      this.clock = clock;
      this.secrets = secrets;
    }

    @Override
    public String name() {
      return "p";
    }

    @Override
    public PluginKind kind() {
      return PluginKind.CONNECTOR;
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
      return new RecordingLogger(logLines);
    }

    @Override
    public Store store() {
      return new InMemoryStore(clock);
    }

    @Override
    public PluginSecrets secrets() {
      return secrets;
    }
  }

  final HubSpotStub stub;
  final TestClock clock = new TestClock();
  final TestSleeper sleeper = new TestSleeper(clock);
  final MapSecrets secrets = new MapSecrets();
  Context lastContext;

  Harness(HubSpotStub stub) {
    this.stub = stub;
  }

  /** Options as a map; baseUrl points at the stub and pacing is on unless given. */
  Connector connector(Map<String, Object> options) {
    Map<String, Object> all = new java.util.LinkedHashMap<>();
    all.put("baseUrl", stub.baseUrl());
    all.putAll(options);
    lastContext = new Context(clock, secrets);
    return new HubSpotConnectorProvider().create(
        PluginConfig.of("pipeline 'p' source (type hubspot)", all), lastContext, sleeper);
  }

  /** Everything one read emitted, logged and reported. */
  static final class Run implements Emitter, ReadContext, RequestLog {
    // Reads are single-threaded; a copy-on-write list would make 26,000 emits quadratic.
    final List<Object> items = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> logLines = new CopyOnWriteArrayList<>();
    final Clock clock;
    volatile boolean cancelled;
    volatile int cancelAfterRecords = -1;

    Run(Clock clock) {
      this.clock = clock;
    }

    record Rejected(String raw, String location, String reason) {}

    List<Record> records() {
      return items.stream().filter(i -> i instanceof Record).map(i -> (Record) i).toList();
    }

    List<String> keys() {
      return records().stream().map(Record::key).toList();
    }

    List<Checkpoint> checkpoints() {
      return items.stream().filter(i -> i instanceof Checkpoint).map(i -> (Checkpoint) i).toList();
    }

    Checkpoint lastCheckpoint() {
      List<Checkpoint> c = checkpoints();
      return c.isEmpty() ? null : c.get(c.size() - 1);
    }

    List<Rejected> rejected() {
      return items.stream().filter(i -> i instanceof Rejected).map(i -> (Rejected) i).toList();
    }

    String everythingShown() {
      List<String> all;
      synchronized (requests) {
        all = new ArrayList<>(requests);
      }
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
      return JsonNodeFactory.instance.objectNode();
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

  Run read(Connector connector, Checkpoint from) throws Exception {
    Run run = new Run(clock);
    connector.read(run, from, run);
    return run;
  }

  /** Reads and returns the run even when the read throws; the exception goes to {@code failure[0]}. */
  Run readFailing(Connector connector, Checkpoint from, Throwable[] failure) {
    Run run = new Run(clock);
    try {
      connector.read(run, from, run);
    } catch (Throwable t) {
      failure[0] = t;
    }
    return run;
  }

  static Checkpoint future(Checkpoint last) {
    ObjectNode s = (ObjectNode) last.state();
    s.put("modifiedAtMillis", Instant.parse("2100-01-01T00:00:00Z").toEpochMilli());
    s.put("modifiedAt", "2100-01-01T00:00:00Z");
    s.remove("lastId");
    return Checkpoint.of(s);
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
}
