package dev.sluice.auth.keycloak;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that is the system clock plus an offset the test moves forward (real Keycloak tokens carry
 * real times; the rate limits and cache ages are passed by advancing the offset). Thread-safe.
 */
final class MutableClock extends Clock {
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);
  private final Instant fixed;

  private MutableClock(Instant fixed) {
    this.fixed = fixed;
  }

  /** System time plus the offset. */
  static MutableClock system() {
    return new MutableClock(null);
  }

  /** A fixed instant plus the offset. */
  static MutableClock at(Instant start) {
    return new MutableClock(start);
  }

  void advance(Duration d) {
    offset.updateAndGet(o -> o.plus(d));
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
    return (fixed == null ? Instant.now() : fixed).plus(offset.get());
  }
}
