package dev.sluice.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts a run at the times of a {@link CronSchedule}.
 *
 * <p><b>Misfires.</b> When the scheduler wakes up more than {@link #misfireThreshold()} after a
 * firing time (the process was down, suspended or out of threads), the {@link #misfire()} policy
 * decides: {@link MisfirePolicy#FIRE_ONCE_NOW} (default) starts one run now for all missed times,
 * {@link MisfirePolicy#SKIP} starts none. Either way the trigger then continues with the next
 * regular time. Downtime is recognised across restarts when the store keeps run history: the last
 * run this trigger started is the point from which missed times are counted.
 *
 * <p><b>Jitter.</b> With a non-zero {@link #jitter()}, each firing is delayed by a random amount in
 * {@code [0, jitter)}, to spread load when many pipelines share a schedule. The schedule itself is
 * unaffected: the next time is always computed from the regular one.
 *
 * <p>Immutable and thread-safe; equal when all settings are equal.
 *
 * @param schedule when to fire
 * @param misfire what to do about missed times
 * @param misfireThreshold how late a firing may be and still count as on time; at least 1 second
 * @param jitter upper bound of the random delay; zero for none
 */
public record CronTrigger(
    CronSchedule schedule, MisfirePolicy misfire, Duration misfireThreshold, Duration jitter)
    implements TriggerDefinition {

  /** Quartz's default too: a minute late still counts as on time. */
  public static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofMinutes(1);

  /**
   * Validates the settings.
   *
   * @param schedule when to fire
   * @param misfire what to do about missed times
   * @param misfireThreshold how late a firing may be and still count as on time; at least 1 second
   * @param jitter upper bound of the random delay; zero for none
   * @throws NullPointerException when a component is null
   * @throws IllegalArgumentException when {@code misfireThreshold} is under 1 second or
   *     {@code jitter} is negative
   */
  public CronTrigger {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(misfire, "misfire");
    Objects.requireNonNull(misfireThreshold, "misfireThreshold");
    Objects.requireNonNull(jitter, "jitter");
    if (misfireThreshold.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("cron trigger '" + schedule.describe()
          + "': misfire threshold must be at least 1s, got " + misfireThreshold);
    }
    if (jitter.isNegative()) {
      throw new IllegalArgumentException("cron trigger '" + schedule.describe()
          + "': jitter must not be negative, got " + jitter);
    }
  }

  /**
   * A Unix-syntax expression in UTC with default settings.
   *
   * @param expression a five-field Unix cron expression or a macro such as {@code @daily}
   * @return the trigger
   * @throws InvalidCronException when the expression can't be parsed
   */
  public static CronTrigger of(String expression) {
    return builder(expression).build();
  }

  /**
   * A Unix-syntax expression in {@code zone} with default settings.
   *
   * @param expression a five-field Unix cron expression or a macro such as {@code @daily}
   * @param zone the zone whose wall clock the expression reads
   * @return the trigger
   * @throws InvalidCronException when the expression can't be parsed
   */
  public static CronTrigger of(String expression, ZoneId zone) {
    return builder(expression).zone(zone).build();
  }

  /**
   * A builder for the expression; it is parsed by {@link Builder#build()}.
   *
   * @param expression the cron expression, in the builder's {@linkplain Builder#syntax syntax}
   * @return a new builder with the default settings
   */
  public static Builder builder(String expression) {
    return new Builder(expression);
  }

  @Override
  public String describe() {
    return "cron " + schedule.describe();
  }

  /**
   * Whether a firing for {@code scheduledFor} that starts at {@code now} is a misfire.
   *
   * @param scheduledFor the regular firing time
   * @param now when the run starts
   * @return true when {@code now} is more than {@link #misfireThreshold()} after
   *     {@code scheduledFor}
   */
  public boolean isMisfire(Instant scheduledFor, Instant now) {
    return Duration.between(scheduledFor, now).compareTo(misfireThreshold) > 0;
  }

  /**
   * How many regular times lie in {@code [first, now]}, {@code first} being one (at least 1;
   * counting stops at 10,000).
   *
   * @param first the first missed regular time
   * @param now the current time
   * @return the number of regular times, between 1 and 10,000
   */
  public int timesSince(Instant first, Instant now) {
    int n = 1;
    Instant cursor = first;
    while (n < 10_000) {
      Optional<Instant> next = schedule.nextAfter(cursor);
      if (next.isEmpty() || next.get().isAfter(now)) {
        break;
      }
      n++;
      cursor = next.get();
    }
    return n;
  }

  /**
   * The time to fire after the run for {@code scheduledFor} ended at {@code doneAt}, where runs
   * of one trigger never overlap (cluster mode): times that passed more than the misfire threshold
   * before the run ended are not made up, as the overlap policy {@code skip} would have skipped
   * them; empty when the expression never matches again.
   *
   * @param scheduledFor the regular time the run was for
   * @param doneAt when the run ended
   * @return the next firing time, or empty
   */
  public Optional<Instant> nextAfterRun(Instant scheduledFor, Instant doneAt) {
    Instant floor = doneAt.minus(misfireThreshold);
    return schedule.nextAfter(scheduledFor.isAfter(floor) ? scheduledFor : floor);
  }

  /** Builds a {@link CronTrigger}; the expression is parsed by {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final String expression;
    private CronSyntax syntax = CronSyntax.UNIX;
    private ZoneId zone = ZoneOffset.UTC;
    private DstPolicy dst = DstPolicy.SHIFT;
    private MisfirePolicy misfire = MisfirePolicy.FIRE_ONCE_NOW;
    private Duration misfireThreshold = DEFAULT_MISFIRE_THRESHOLD;
    private Duration jitter = Duration.ZERO;

    private Builder(String expression) {
      this.expression = expression;
    }

    /**
     * Default {@link CronSyntax#UNIX}.
     *
     * @param value the syntax of the expression
     * @return this builder
     */
    public Builder syntax(CronSyntax value) {
      this.syntax = Objects.requireNonNull(value, "syntax");
      return this;
    }

    /**
     * Default UTC.
     *
     * @param value the zone whose wall clock the expression reads
     * @return this builder
     */
    public Builder zone(ZoneId value) {
      this.zone = Objects.requireNonNull(value, "zone");
      return this;
    }

    /**
     * Default {@link DstPolicy#SHIFT}.
     *
     * @param value what to do with wall-clock times that daylight saving skips
     * @return this builder
     */
    public Builder dst(DstPolicy value) {
      this.dst = Objects.requireNonNull(value, "dst");
      return this;
    }

    /**
     * Default {@link MisfirePolicy#FIRE_ONCE_NOW}.
     *
     * @param value what to do about missed times
     * @return this builder
     */
    public Builder misfire(MisfirePolicy value) {
      this.misfire = Objects.requireNonNull(value, "misfire");
      return this;
    }

    /**
     * Default {@link #DEFAULT_MISFIRE_THRESHOLD}.
     *
     * @param value how late a firing may be and still count as on time; at least 1 second (checked
     *     by {@link #build()})
     * @return this builder
     */
    public Builder misfireThreshold(Duration value) {
      this.misfireThreshold = Objects.requireNonNull(value, "misfireThreshold");
      return this;
    }

    /**
     * Default zero.
     *
     * @param value upper bound of the random delay; not negative (checked by {@link #build()})
     * @return this builder
     */
    public Builder jitter(Duration value) {
      this.jitter = Objects.requireNonNull(value, "jitter");
      return this;
    }

    /**
     * Parses the expression and builds the trigger.
     *
     * @return the trigger, immutable
     * @throws InvalidCronException when the expression can't be parsed
     * @throws IllegalArgumentException when a setting is out of range
     */
    public CronTrigger build() {
      return new CronTrigger(CronSchedule.of(expression, syntax, zone, dst), misfire, misfireThreshold, jitter);
    }
  }
}
