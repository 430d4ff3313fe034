package dev.sluice.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Ticker} on one daemon thread and a priority queue. Idle cost is one wake-up per minute
 * whatever the number of tasks: the thread waits for the earliest task only, and re-reads the
 * clock at least every {@link #MAX_WAIT} so that a suspended machine or a wall-clock change is
 * noticed soon (waits run on the monotonic clock, which stops during suspend).
 *
 * <p>Thread-safe. The thread starts with the first task and ends on {@link #shutdown()}.
 */
final class SystemTicker implements Ticker {
  private static final Logger LOG = LoggerFactory.getLogger(SystemTicker.class);
  static final Duration MAX_WAIT = Duration.ofMinutes(1);

  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PriorityQueue<TickerTask> queue = new PriorityQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private Thread thread;
  private boolean shutdown;

  SystemTicker(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Timer schedule(Instant at, Runnable task) {
    TickerTask t = new TickerTask(Objects.requireNonNull(at, "at"), sequence.incrementAndGet(), Objects.requireNonNull(task));
    lock.lock();
    try {
      if (shutdown) {
        throw new IllegalStateException("the scheduler's ticker was shut down");
      }
      queue.add(t);
      if (thread == null) {
        thread = new Thread(this::loop, "sluice-ticker");
        thread.setDaemon(true);
        thread.start();
      } else if (queue.peek() == t) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    return t;
  }

  @Override
  public void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      queue.clear();
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    while (true) {
      TickerTask due;
      lock.lock();
      try {
        while (true) {
          if (shutdown) {
            return;
          }
          TickerTask head = queue.peek();
          if (head != null && head.cancelled) {
            queue.poll();
            continue;
          }
          long waitNanos = head == null
              ? MAX_WAIT.toNanos()
              : Math.min(Duration.between(clock.instant(), head.at).toNanos(), MAX_WAIT.toNanos());
          if (head != null && waitNanos <= 0) {
            due = queue.poll();
            break;
          }
          changed.awaitNanos(waitNanos);
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        due.task.run();
      } catch (RuntimeException e) {
        // One broken task must not stop every other trigger; the task's owner logs its own failures.
        LOG.error("scheduled task failed", e);
      }
    }
  }
}
