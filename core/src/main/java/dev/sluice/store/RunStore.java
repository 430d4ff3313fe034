package dev.sluice.store;

import java.util.List;
import java.util.Optional;

/**
 * Run history.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public interface RunStore {

  /** Inserts the run, or replaces the stored run with the same id. */
  void save(RunRecord run);

  Optional<RunRecord> find(String runId);

  /**
   * Runs, newest start first.
   *
   * @param pipeline only this pipeline's runs, or null for all
   * @param limit at most this many, at least 1
   */
  List<RunRecord> list(String pipeline, int limit);
}
