package dev.sluice.pipeline;

/** Where a run stands. {@link #isFinal()} ones never change again. */
public enum RunStatus {
  /** Accepted, waiting to start (overlap policy {@code queue}, or a cluster node to claim it). */
  QUEUED,
  /** Reading and delivering. */
  RUNNING,
  /** Everything read was delivered or dead-lettered, and the last checkpoint committed. */
  SUCCEEDED,
  /**
   * The connector or the engine failed; what was read before was still delivered. Also a run the
   * shutdown deadline cut short: its report counts the undelivered records, which were not
   * checkpointed, so the next run reads them again.
   */
  FAILED,
  /** Stopped on request (cancel, or shutdown within its deadline); what was read was delivered. */
  CANCELLED,
  /**
   * Not started because another run of the pipeline was in progress (overlap policy skip), or
   * because as many runs as {@code maxConcurrentRuns} were (overlap policy allow).
   */
  SKIPPED,
  /**
   * The process running it (or holding it in its queue) stopped without finishing it: killed,
   * crashed, lost its machine. Found by a Sluice node on the same store once that process's
   * heartbeat was older than the liveness timeout; {@code error} says which node ran it and which
   * node found it. What it delivered after its last committed checkpoint is read again by the next
   * run, whose report names it ({@code resumedAfter}).
   */
  INTERRUPTED;

  /**
   * Whether a run with this status has ended, so the status never changes again.
   *
   * @return false for {@link #QUEUED} and {@link #RUNNING}, true otherwise
   */
  public boolean isFinal() {
    return this != QUEUED && this != RUNNING;
  }
}
