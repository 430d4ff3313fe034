package dev.sluice.delivery;

import java.time.Duration;

/**
 * Waits between delivery attempts. Injected so that tests of backoff never sleep on wall time.
 *
 * <p>Thread-safety: implementations are called from many dispatcher threads at once.
 */
@FunctionalInterface
public interface Sleeper {

  /** Sleeps with {@link Thread#sleep}. */
  Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);

  /**
   * Waits for {@code duration}.
   *
   * @param duration how long to wait; zero returns at once
   * @throws InterruptedException when the waiting thread is interrupted
   */
  void sleep(Duration duration) throws InterruptedException;
}
