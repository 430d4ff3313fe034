package dev.sluice.delivery;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a dead-letter replay did.
 *
 * @param runId the run id the replayed batches carried (destinations see it in {@code
 *     Batch.runId()})
 * @param selected dead letters the query matched
 * @param delivered delivered this time, and deleted (a routing failure: every result delivered, or
 *     it matches no rule now and the pipeline drops unmatched records)
 * @param failedAgain failed again, and kept with the new reason and the attempts added up (a
 *     routing failure: routing failed again, it matches no rule now under {@code unmatched:
 *     dead-letter}, or a result failed at its destination and was parked there)
 * @param skipped not replayable (rejected input, a pipeline or destination this Sluice does not
 *     define, an unreadable stored record); kept unchanged
 * @param problems one line per skipped dead letter or failure, at most {@link #MAX_PROBLEMS}
 */
public record ReplayReport(
    String runId, long selected, long delivered, long failedAgain, long skipped, List<String> problems) {
  /** How many problem lines a report keeps. */
  public static final int MAX_PROBLEMS = 100;

  /**
   * Checks the run id and copies the problems.
   *
   * @param runId the id of the replay, as in the run history
   * @param selected dead letters matched by the query
   * @param delivered delivered this time
   * @param failedAgain failed again (kept, or parked anew)
   * @param skipped not replayable; kept unchanged
   * @param problems one line per skipped dead letter or failure
   * @throws NullPointerException when {@code runId} or {@code problems} is null
   */
  public ReplayReport {
    Objects.requireNonNull(runId, "runId");
    problems = List.copyOf(problems);
  }

  /**
   * A few lines for people.
   *
   * @return multi-line text with the counters and problems
   */
  public String render() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "Replay %s: %d selected, %d delivered, %d failed again, %d skipped%n",
        runId, selected, delivered, failedAgain, skipped));
    problems.forEach(p -> sb.append("  ").append(p).append('\n'));
    return sb.toString();
  }
}
