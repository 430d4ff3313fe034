package dev.sluice.destinations.notify.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Spaces posts to each target (a Slack channel) at least {@code interval} apart, across threads:
 * a caller reserves the next free slot of its target under a lock and then waits outside it. A
 * target that answered "slow down" is held until the time it named. Thread-safe. Not API.
 */
public final class Pacer {
  private final Duration interval;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Map<String, Instant> nextFree = new HashMap<>();

  public Pacer(Duration interval, Clock clock, Sleeper sleeper) {
    this.interval = interval;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** Waits for the next slot of {@code target}. */
  public void acquire(String target) throws InterruptedException {
    Duration wait;
    synchronized (this) {
      Instant now = clock.instant();
      Instant free = nextFree.getOrDefault(target, now);
      Instant slot = free.isAfter(now) ? free : now;
      nextFree.put(target, slot.plus(interval));
      if (nextFree.size() > 10_000) {
        nextFree.values().removeIf(t -> t.isBefore(now));
      }
      wait = Duration.between(now, slot);
    }
    if (!wait.isZero() && !wait.isNegative()) {
      sleeper.sleep(wait);
    }
  }

  /** No post to {@code target} before {@code now + pause}. */
  public synchronized void holdOff(String target, Duration pause) {
    Instant until = clock.instant().plus(pause);
    nextFree.merge(target, until, (a, b) -> a.isAfter(b) ? a : b);
  }
}
