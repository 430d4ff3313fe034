package dev.sluice.destinations.notify.internal;

import java.time.Duration;

/** Waits; injected so tests never sleep on wall time. Not API. */
@FunctionalInterface
public interface Sleeper {
  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

  void sleep(Duration duration) throws InterruptedException;
}
