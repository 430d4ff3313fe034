package dev.sluice.pipeline;

import dev.sluice.internal.Labels;
import java.util.Locale;

/**
 * What happens when a trigger (cron, webhook, API, plugin) asks for a run of a pipeline while a run
 * of it is still in progress. Runs started with {@code Sluice.run(...)} on the caller's thread are
 * not governed by it.
 */
public enum OverlapPolicy {
  /**
   * Do not start it: the request ends as {@link RunStatus#SKIPPED} and is kept in the run history
   * (the default: a slow run never piles up copies of itself).
   */
  SKIP,
  /**
   * Start it when the current run ends; at most one run waits. A request arriving while one already
   * waits is skipped: the waiting run will read everything new anyway.
   */
  QUEUE,
  /** Start it now, alongside the others. The connector must cope with concurrent reads. */
  ALLOW;

  /**
   * The lower-case name used in configuration files.
   *
   * @return {@code skip}, {@code queue} or {@code allow}
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The policy named {@code label} ({@code skip}, {@code queue}, {@code allow}), case-insensitive.
   *
   * @param label the label, any case
   * @return the policy
   * @throws IllegalArgumentException naming the rejected value
   */
  public static OverlapPolicy of(String label) {
    return Labels.parse(OverlapPolicy.class, OverlapPolicy::label, "overlap policy", label);
  }
}
