package dev.sluice.store;

import dev.sluice.record.Checkpoint;
import java.util.Optional;

/**
 * The last committed checkpoint of each pipeline.
 *
 * <p>Thread-safety: safe for concurrent use; commits of one pipeline are serialized by the engine.
 */
public interface CheckpointStore {

  /** The last committed checkpoint of {@code pipeline}, or empty when it never committed one. */
  Optional<Checkpoint> load(String pipeline);

  /**
   * Stores {@code checkpoint} as the pipeline's position and {@code progress} as the run's state,
   * atomically: after a crash either both are visible or neither.
   *
   * @param progress the run's record as of this checkpoint, never null
   */
  void commit(String pipeline, Checkpoint checkpoint, RunRecord progress);

  /** Forgets the pipeline's position, so its next run reads from the beginning. */
  void reset(String pipeline);
}
