package dev.sluice.schedule;

import dev.sluice.internal.Labels;
import java.util.Locale;

/**
 * What a cron trigger does with a wall-clock time that does not exist on a day the clocks jump
 * forward (for example 02:30 in Europe/Berlin on the last Sunday of March).
 *
 * <p>Times repeated when the clocks go back are not affected by this policy: a fixed-time expression
 * fires them once, at their first occurrence; an interval expression at every occurrence (see
 * {@link CronSchedule#isInterval()} and {@link CronSchedule} for the full rules).
 */
public enum DstPolicy {
  /**
   * Fire once at the first valid instant after the gap (02:30 in a gap from 02:00 to 03:00 fires at
   * 03:00 new time). Several skipped times, and a time right at the end of the gap, share that one
   * firing. The default: a daily job still runs that day.
   */
  SHIFT,
  /** Do not fire for times inside the gap; the job runs at its next regular time. */
  SKIP;

  /**
   * The lower-case name used in configuration files.
   *
   * @return {@code shift} or {@code skip}
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The policy named {@code label} ({@code shift} or {@code skip}), case-insensitive.
   *
   * @param label {@code shift} or {@code skip}, any case
   * @return the policy
   * @throws IllegalArgumentException naming the rejected value
   */
  public static DstPolicy of(String label) {
    return Labels.parse(DstPolicy.class, DstPolicy::label, "dst policy", label);
  }
}
