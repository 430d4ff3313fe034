package dev.sluice.schedule;

import java.time.Clock;
import java.time.Instant;

/**
 * The scheduler's source of time: what time it is, and "call me at that instant". The one seam
 * between Sluice's triggers and real time, so that tests drive time by hand (advance a clock, run
 * what became due) and never sleep.
 *
 * <p>{@link #system(Clock)} is the production implementation. A test implementation keeps tasks in
 * a queue and runs them when the test advances its clock.
 *
 * <p>Thread-safety: implementations accept {@link #schedule} and {@link Timer#cancel} from any
 * thread.
 */
public interface Ticker {

  /**
   * The clock this ticker keeps time by; Sluice uses the same clock everywhere.
   *
   * @return the clock, never null
   */
  Clock clock();

  /**
   * Runs {@code task} once, at or soon after {@code at} by {@link #clock()} (immediately when
   * {@code at} has passed). Tasks must be short: they share the ticker's thread.
   *
   * @param at when to run the task
   * @param task the task; it should not throw (the system ticker logs what it throws)
   * @return a handle to cancel the task
   */
  Timer schedule(Instant at, Runnable task);

  /** Stops the ticker's thread, if it has one; pending tasks never run. Idempotent. */
  default void shutdown() {}

  /** A scheduled task. */
  interface Timer {
    /** Prevents the task from running if it has not started. Idempotent. */
    void cancel();
  }

  /**
   * One daemon thread that waits for the earliest task, re-reading {@code clock} at least every
   * minute.
   *
   * @param clock the clock to keep time by
   * @return a new ticker; its thread ends when the JVM does (daemon)
   */
  static Ticker system(Clock clock) {
    return new SystemTicker(clock);
  }
}
