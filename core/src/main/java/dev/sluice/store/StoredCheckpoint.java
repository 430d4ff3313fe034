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
  /**
   * Checks the components.
   *
   * @param checkpoint the connector's checkpoint, never null
   * @param version at least 1
   * @param runId the run that committed it, never null
   * @throws NullPointerException when a required component is null
   * @throws IllegalArgumentException when {@code version} is below 1
   */
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
   * @param next the committed checkpoint
   * @param run the id of the committing run
   * @return the new position: version 1 when {@code current} is null, else one more than it
   */
  public static StoredCheckpoint after(StoredCheckpoint current, Checkpoint next, String run) {
    return new StoredCheckpoint(next, current == null ? 1 : current.version + 1, run);
  }

  /**
   * Whether {@code a} and {@code b} are the same position: both absent, or same version and run.
   * The checkpoints themselves are not compared.
   *
   * @param a a position, or null for none
   * @param b a position, or null for none
   * @return whether they are the same position
   */
  public static boolean samePosition(StoredCheckpoint a, StoredCheckpoint b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.version == b.version && a.runId.equals(b.runId);
  }
}
