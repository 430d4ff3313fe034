package dev.sluice.internal.engine;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A meter registered on first use, so that a histogram for an outcome that never happens (a failed
 * run, a fenced commit) exports no series. Registering twice is harmless: the registry returns the
 * meter it has.
 *
 * <p>Not API. Thread-safe.
 */
final class LazyMeter<T> {
  private final Supplier<T> register;
  private volatile T meter;

  LazyMeter(Supplier<T> register) {
    this.register = Objects.requireNonNull(register);
  }

  T get() {
    T m = meter;
    if (m == null) {
      m = register.get();
      meter = m;
    }
    return m;
  }
}
