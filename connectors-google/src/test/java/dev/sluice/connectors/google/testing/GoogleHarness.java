package dev.sluice.connectors.google.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.delivery.Sleeper;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.spi.Connector;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.ReadContext;
import dev.sluice.spi.RequestLog;
import dev.sluice.testkit.TestReadContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;

/**
 * Test plumbing of the Google connectors' tests: a settable clock, a sleeper that only records, a
 * read context that keeps the request log and the notes.
 */
public final class GoogleHarness {
  /** A clock the test moves by hand. */
  public static final class MutableClock extends Clock {
    private volatile Instant now;

    public MutableClock(Instant now) {
      this.now = now;
    }

    public void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      MutableClock self = this;
      return new Clock() {
        @Override
        public ZoneId getZone() {
          return zone;
        }

        @Override
        public Clock withZone(ZoneId z) {
          return self.withZone(z);
        }

        @Override
        public Instant instant() {
          return self.instant();
        }
      };
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Records waits instead of sleeping; advances the clock by them so quota windows move. */
  public static final class RecordingSleeper implements Sleeper {
    public final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
    private final MutableClock clock;

    public RecordingSleeper(MutableClock clock) {
      this.clock = clock;
    }

    @Override
    public void sleep(Duration d) {
      waits.add(d);
      clock.set(clock.instant().plus(d));
    }
  }

  /** A read context with the test's clock that keeps every request-log line. */
  public static final class Ctx implements ReadContext {
    public final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final TestReadContext delegate;
    private final Clock clock;

    public Ctx(Clock clock) {
      this.clock = clock;
      this.delegate = new TestReadContext("test", null, clock);
    }

    @Override
    public String pipeline() {
      return delegate.pipeline();
    }

    @Override
    public String runId() {
      return delegate.runId();
    }

    @Override
    public JsonNode parameters() {
      return delegate.parameters();
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public Logger logger() {
      return delegate.logger();
    }

    @Override
    public boolean isCancelled() {
      return delegate.isCancelled();
    }

    public void cancel() {
      delegate.cancel();
    }

    @Override
    public RequestLog requestLog() {
      return (method, target, outcome) -> log.add(method + " " + target + " -> " + outcome);
    }

    public final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void note(String text) {
      notes.add(text);
    }
  }

  private GoogleHarness() {}
}
