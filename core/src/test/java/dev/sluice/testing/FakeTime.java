package dev.sluice.testing;

import dev.sluice.delivery.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A clock that only moves when someone sleeps on it (or the test advances it). Thread-safe. */
public final class FakeTime extends Clock implements Sleeper {
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now = new AtomicReference<>(START);
  public final List<Duration> waits = new CopyOnWriteArrayList<>();

  @Override
  public void sleep(Duration duration) {
    waits.add(duration);
    advance(duration);
  }

  public void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  /** Time passed since {@link #START}. */
  public Duration elapsed() {
    return Duration.between(START, now.get());
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("FakeTime is UTC only");
  }
}
