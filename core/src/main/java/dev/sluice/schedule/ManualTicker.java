package dev.sluice.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * For tests: a {@link Ticker} whose time moves only when the test says so, so that cron
 * schedules, DST changes, misfires and jitter can be tested without waiting. Pass it to {@code
 * Sluice.builder().ticker(...)} (which also takes its clock).
 *
 * <p>{@link #advanceTo} runs every task that falls due on the way, in time order, with the clock set to each task's time (as a punctual
 * timer would); {@link #jumpTo} moves the clock without running anything (the process was
 * suspended), after which {@link #runDue()} runs what is overdue, late.
 *
 * <p>Tasks run on the calling thread. Thread-safe.
 */
public final class ManualTicker implements Ticker {
  private final MutableClock clock;
  private final PriorityQueue<TickerTask> tasks = new PriorityQueue<>();
  private long sequence;

  /**
   * A ticker whose clock starts at {@code start} and stands still until advanced.
   *
   * @param start the initial time
   */
  public ManualTicker(Instant start) {
    this.clock = new MutableClock(start);
  }

  @Override
  public Clock clock() {
    return clock;
  }

  /**
   * The ticker's current time.
   *
   * @return the clock's instant
   */
  public Instant now() {
    return clock.instant();
  }

  @Override
  public synchronized Timer schedule(Instant at, Runnable task) {
    TickerTask t = new TickerTask(at, sequence++, task);
    tasks.add(t);
    return t;
  }

  /**
   * How many tasks wait (cancelled ones excluded).
   *
   * @return the number of waiting tasks
   */
  public synchronized long pending() {
    return tasks.stream().filter(t -> !t.cancelled).count();
  }

  /**
   * The time of the earliest waiting task, or null.
   *
   * @return the earliest due time, or null when nothing waits
   */
  public synchronized Instant nextDue() {
    return tasks.stream().filter(t -> !t.cancelled).map(t -> t.at).min(Instant::compareTo).orElse(null);
  }

  /**
   * Moves time forward by {@code d}, running each task at its own time on the way (see
   * {@link #advanceTo}).
   *
   * @param d how far to move; not negative
   */
  public void advance(Duration d) {
    advanceTo(clock.instant().plus(d));
  }

  /**
   * Moves time forward to {@code to}, running each task at its own time on the way.
   *
   * @param to the new time; nothing happens to the clock when it is not after the current time,
   *     but tasks due by then run
   */
  public void advanceTo(Instant to) {
    while (true) {
      TickerTask next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.at.isAfter(to)) {
          break;
        }
        tasks.poll();
        if (next.at.isAfter(clock.instant())) {
          clock.set(next.at);
        }
      }
      if (!next.cancelled) {
        next.task.run();
      }
    }
    if (to.isAfter(clock.instant())) {
      clock.set(to);
    }
  }

  /**
   * Moves the clock to {@code to} without running anything.
   *
   * @param to the new time
   */
  public void jumpTo(Instant to) {
    clock.set(to);
  }

  /** Runs every task due by now, at the current time. */
  public void runDue() {
    while (true) {
      TickerTask next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.at.isAfter(clock.instant())) {
          return;
        }
        tasks.poll();
      }
      if (!next.cancelled) {
        next.task.run();
      }
    }
  }

  /** A clock set by hand. */
  private static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant value) {
      this.now = value;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the manual clock is UTC only");
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
