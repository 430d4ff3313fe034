package dev.sluice.pipeline;

import dev.sluice.internal.engine.EngineRunControl;
import java.util.Optional;

/**
 * The caller's side of one run: cancels it, and reads its id and live progress. Pass one to {@code
 * Sluice.run(...)} to steer a run from another thread.
 *
 * <p>A control serves one run. Make one with {@link #create()}, or with {@link #withRunId(String)}
 * when the id must be known before the run starts. Only controls made by these factories are
 * accepted by the engine (it reports the run's progress into them).
 *
 * <p>Thread-safe: every method may be called from any thread, before, during or after the run.
 */
public interface RunControl {
  /**
   * A control whose run gets its id from the engine.
   *
   * @return a new control
   */
  static RunControl create() {
    return new EngineRunControl();
  }

  /**
   * A control whose run will have {@code runId}.
   *
   * @param runId the id the run will have
   * @return a new control
   * @throws IllegalArgumentException when {@code runId} is null or blank
   */
  static RunControl withRunId(String runId) {
    return new EngineRunControl(runId);
  }

  /** Asks the run to stop reading; what was read is still delivered. Idempotent. */
  void cancel();

  /**
   * Whether {@link #cancel()} was called.
   *
   * @return true once cancelled
   */
  boolean isCancelled();

  /**
   * The run's id: the preset one, or the engine's once the run started; empty before that.
   *
   * @return the run id, or empty
   */
  Optional<String> runId();

  /**
   * The run's counters so far; {@link RunProgress#NONE} before it starts. Never null.
   *
   * @return the latest counters
   */
  RunProgress progress();
}
