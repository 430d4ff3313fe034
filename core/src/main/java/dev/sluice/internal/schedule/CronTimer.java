package dev.sluice.internal.schedule;

import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.MisfirePolicy;
import dev.sluice.schedule.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires one {@link CronTrigger} of one pipeline on a {@link Ticker}: arms a timer for the next
 * regular time (plus jitter), and when it runs decides between an on-time firing and a misfire.
 *
 * <p>Thread-safe: the ticker's thread runs the ticks; {@link #close()} may come from any thread.
 */
final class CronTimer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CronTimer.class);

  /**
   * One firing.
   *
   * @param scheduledFor the regular time it stands for (the first missed one for a misfire)
   * @param missed regular times it stands for: 1 when on time, more after a misfire
   */
  record Firing(String pipeline, CronTrigger trigger, Instant scheduledFor, int missed) {}

  private final String pipeline;
  private final CronTrigger trigger;
  private final Ticker ticker;
  private final RandomGenerator random;
  private final Consumer<Firing> target;
  private final Timer lateness;
  private final MeterRegistry registry;
  private Ticker.Timer armed;
  private boolean closed;

  CronTimer(String pipeline, CronTrigger trigger, Ticker ticker, RandomGenerator random,
      Consumer<Firing> target, MeterRegistry registry) {
    this.pipeline = Objects.requireNonNull(pipeline);
    this.trigger = Objects.requireNonNull(trigger);
    this.ticker = Objects.requireNonNull(ticker);
    this.random = Objects.requireNonNull(random);
    this.target = Objects.requireNonNull(target);
    this.registry = registry;
    this.lateness = latenessTimer(registry, pipeline);
  }

  static Timer latenessTimer(MeterRegistry registry, String pipeline) {
    return Timer.builder("sluice.cron.lateness")
        .description("How long after its (jittered) time a cron firing started")
        .tag("pipeline", pipeline)
        .publishPercentiles(0.5, 0.99)
        .publishPercentileHistogram() // so that lateness can be aggregated across nodes
        .register(registry);
  }

  static void countMisfire(MeterRegistry registry, String pipeline, CronTrigger trigger) {
    Counter.builder("sluice.cron.misfires").tag("pipeline", pipeline).tag("policy", trigger.misfire().label())
        .register(registry).increment();
  }

  /**
   * Arms the first firing.
   *
   * @param lastFired when this trigger last started a run (from the run history), or null: times
   *     after it that have passed count as missed
   */
  void start(Instant lastFired) {
    Instant now = ticker.clock().instant();
    arm(trigger.schedule().nextAfter(lastFired != null && lastFired.isBefore(now) ? lastFired : now));
  }

  private synchronized void arm(Optional<Instant> next) {
    if (closed) {
      return;
    }
    if (next.isEmpty()) {
      LOG.warn("pipeline '{}': {} has no future firing time; it will not fire again", pipeline, trigger.describe());
      return;
    }
    Instant scheduledFor = next.get();
    Instant due = scheduledFor.plus(jitter());
    armed = ticker.schedule(due, () -> tick(scheduledFor, due));
  }

  private Duration jitter() {
    long bound = trigger.jitter().toMillis();
    return bound <= 0 ? Duration.ZERO : Duration.ofMillis(random.nextLong(bound));
  }

  private void tick(Instant scheduledFor, Instant due) {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    Instant now = ticker.clock().instant();
    Duration late = Duration.between(due, now);
    if (!trigger.isMisfire(due, now)) {
      lateness.record(late.isNegative() ? Duration.ZERO : late);
      fire(new Firing(pipeline, trigger, scheduledFor, 1));
      arm(trigger.schedule().nextAfter(scheduledFor));
      return;
    }
    int missed = trigger.timesSince(scheduledFor, now);
    countMisfire(registry, pipeline, trigger);
    if (trigger.misfire() == MisfirePolicy.FIRE_ONCE_NOW) {
      LOG.warn("pipeline '{}': {} missed {} time(s) since {} (woke {} late); firing once now", pipeline,
          trigger.describe(), missed, scheduledFor, late);
      fire(new Firing(pipeline, trigger, scheduledFor, missed));
    } else {
      LOG.warn("pipeline '{}': {} missed {} time(s) since {} (woke {} late); skipped as configured", pipeline,
          trigger.describe(), missed, scheduledFor, late);
    }
    arm(trigger.schedule().nextAfter(now));
  }

  private void fire(Firing firing) {
    try {
      target.accept(firing);
    } catch (RuntimeException e) {
      // Keep the schedule going: the next time may well work (e.g. the store is back).
      LOG.error("pipeline '{}': {} could not start a run", pipeline, trigger.describe(), e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (armed != null) {
      armed.cancel();
    }
  }
}
