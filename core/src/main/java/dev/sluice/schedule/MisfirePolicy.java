package dev.sluice.schedule;

import dev.sluice.internal.Labels;
import java.util.Locale;

/**
 * What a cron trigger does when it finds, on waking up, that one or more of its times passed more
 * than the misfire threshold ago: the process was down, suspended or starved of threads.
 *
 * <p>Times that are late by less than the threshold are not misfires: they fire normally, late.
 */
public enum MisfirePolicy {
  /** Fire once now for all missed times together, then continue with the next regular time. */
  FIRE_ONCE_NOW,
  /** Fire nothing for the missed times; continue with the next regular time. */
  SKIP;

  /**
   * The name used in configuration files: {@code fire-once-now} or {@code skip}.
   *
   * @return the label
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The policy named {@code label}, case-insensitive.
   *
   * @param label {@code fire-once-now} or {@code skip}, any case
   * @return the policy
   * @throws IllegalArgumentException naming the rejected value
   */
  public static MisfirePolicy of(String label) {
    return Labels.parse(MisfirePolicy.class, MisfirePolicy::label, "misfire policy", label);
  }
}
