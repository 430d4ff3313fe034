package dev.sluice.pipeline;

/** What happens to records no rule matched, when the pipeline has no {@code otherwise} route. */
public enum UnmatchedPolicy {
  /** Drop them, counted in the run report as unmatched (the default). */
  DROP,
  /** Park them as dead letters, to be looked at and replayed. */
  DEAD_LETTER
}
