package dev.sluice.destinations.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.PluginKind;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A plugin context for tests: a clock that only moves when told, an in-memory store unless given one. */
public final class TestContext implements PluginContext {
  private final String name;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
  private final Store store;
  private final ObjectMapper mapper = new ObjectMapper();
  private final MeterRegistry meters = new SimpleMeterRegistry();

  public TestContext(String name) {
    this(name, new InMemoryStore());
  }

  public TestContext(String name, Store store) {
    this.name = name;
    this.store = store;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PluginKind kind() {
    return PluginKind.DESTINATION;
  }

  @Override
  public MutableClock clock() {
    return clock;
  }

  @Override
  public MeterRegistry meterRegistry() {
    return meters;
  }

  @Override
  public ObjectMapper objectMapper() {
    return mapper;
  }

  @Override
  public Logger logger() {
    return LoggerFactory.getLogger("sluice.destination." + name);
  }

  @Override
  public Store store() {
    return store;
  }

  /** A clock moved by {@link #advance}; thread-safe. */
  public static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    public void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
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
      return now.get();
    }
  }
}
