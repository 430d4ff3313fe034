package dev.sluice.store;

import dev.sluice.record.Checkpoint;
import java.util.Optional;

/**
 * The last committed checkpoint of each pipeline.
 *
 * <p>Commits are fenced: each names the position it replaces ({@link StoredCheckpoint}, or null
 * for "nothing stored"), and happens only when that is still the stored position, as one
 * compare-and-set. A run loads the position when it starts and names its own last commit after
 * that, so when runs of one pipeline overlap, the first to commit wins and the others' commits are
 * refused: a checkpoint never moves backwards to what an older read reached.
 *
 * <p>Thread-safety: safe for concurrent use, also from several processes sharing the store.
 */
public interface CheckpointStore {

  /**
   * The pipeline's committed position.
   *
   * @param pipeline the pipeline's name
   * @return the position, or empty when it never committed one (or was reset)
   */
  Optional<StoredCheckpoint> position(String pipeline);

  /**
   * The last committed checkpoint of {@code pipeline}.
   *
   * @param pipeline the pipeline's name
   * @return the checkpoint, or empty when it never committed one
   */
  default Optional<Checkpoint> load(String pipeline) {
    return position(pipeline).map(StoredCheckpoint::checkpoint);
  }

  /**
   * Stores {@code checkpoint} as the pipeline's position and {@code progress} as the run's state,
   * atomically (after a crash either both are visible or neither), if and only if the stored
   * position is still {@code expected}.
   *
   * @param pipeline the pipeline's name
   * @param checkpoint the new position, never null
   * @param expected the position this commit replaces: the one the run loaded or last committed;
   *     null when nothing was stored
   * @param progress the run's record as of this checkpoint, never null; its id becomes the
   *     position's {@link StoredCheckpoint#runId()}
   * @return the new position ({@link StoredCheckpoint#after}); empty, with nothing written, when
   *     another commit or a reset came first
   */
  Optional<StoredCheckpoint> commit(
      String pipeline, Checkpoint checkpoint, StoredCheckpoint expected, RunRecord progress);

  /**
   * Forgets the pipeline's position, so its next run reads from the beginning. A run in progress
   * that loaded the old position can no longer commit.
   *
   * @param pipeline the pipeline's name
   */
  void reset(String pipeline);
}
