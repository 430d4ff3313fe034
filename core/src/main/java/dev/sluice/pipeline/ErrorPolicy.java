package dev.sluice.pipeline;

/** What a pipeline does when a condition or transformation fails on a record at runtime. */
public enum ErrorPolicy {
  /** Park the record as a dead letter with the reason and go on (the default). */
  DEAD_LETTER,
  /** Stop the run and mark it failed; records routed before are still delivered. */
  FAIL
}
