package dev.sluice.store;

import dev.sluice.record.Checkpoint;
import java.util.Objects;

/**
 * A pipeline's committed position as the {@link CheckpointStore} keeps it: the checkpoint, the
 * version a later commit must name to replace it, and the run that committed it.
 *
 * <p>Versions count commits of the pipeline from 1; a {@link CheckpointStore#reset reset} forgets
 * the position (and its version). Immutable.
 *
 * @param checkpoint the connector's checkpoint, never null
 * @param version 1 for the first commit, one more with each commit after it
 * @param runId the run that committed it, never null
 */
public record StoredCheckpoint(Checkpoint checkpoint, long version, String runId) {
  public StoredCheckpoint {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(runId, "runId");
    if (version < 1) {
      throw new IllegalArgumentException("a stored checkpoint's version is at least 1, got " + version);
    }
  }

  /**
   * The position a commit of {@code next} by {@code run} over {@code current} leads to.
   *
   * @param current what the commit replaces, or null when nothing was stored
   */
  public static StoredCheckpoint after(StoredCheckpoint current, Checkpoint next, String run) {
    return new StoredCheckpoint(next, current == null ? 1 : current.version + 1, run);
  }

  /** Whether {@code a} and {@code b} are the same position: both absent, or same version and run. */
  public static boolean samePosition(StoredCheckpoint a, StoredCheckpoint b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.version == b.version && a.runId.equals(b.runId);
  }
}
