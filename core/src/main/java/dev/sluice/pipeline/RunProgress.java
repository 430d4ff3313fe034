package dev.sluice.pipeline;

/**
 * Live counters of one run, readable from any thread while it runs (and final once it ended).
 * Counters only grow; a snapshot is consistent per counter, not across counters.
 *
 * @param recordsRead records the connector emitted and the router took
 * @param recordsRejected input the connector could not read (kept as dead letters)
 * @param recordsUnmatched records no rule matched
 * @param routingErrors records a condition or transformation failed on
 * @param delivered deliveries acknowledged, over all destinations
 * @param deadLettered deliveries parked as dead letters, over all destinations
 */
public record RunProgress(
    long recordsRead,
    long recordsRejected,
    long recordsUnmatched,
    long routingErrors,
    long delivered,
    long deadLettered) {

  /** Nothing done yet. */
  public static final RunProgress NONE = new RunProgress(0, 0, 0, 0, 0, 0);
}
