package dev.sluice.pipeline;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The caller's side of one run: cancels it, and reads its id and live progress.
 *
 * <p>A control serves one run. Give it a run id up front ({@link #RunControl(String)}) when the id
 * must be known before the run starts (queued runs, run handles); otherwise the engine assigns one.
 *
 * <p>Thread-safe: every method may be called from any thread, before, during or after the run.
 */
public final class RunControl {
  private final String presetRunId;
  private volatile String runId;
  private volatile boolean cancelled;
  private volatile Runnable onCancel = () -> {};
  private volatile Supplier<RunProgress> progress = () -> RunProgress.NONE;

  /** A control whose run gets its id from the engine. */
  public RunControl() {
    this.presetRunId = null;
  }

  /**
   * A control whose run will have {@code runId}.
   *
   * @throws IllegalArgumentException when {@code runId} is blank
   */
  public RunControl(String runId) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("run id must not be blank, got '" + runId + "'");
    }
    this.presetRunId = runId;
    this.runId = runId;
  }

  /** Asks the run to stop reading; what was read is still delivered. Idempotent. */
  public void cancel() {
    cancelled = true;
    onCancel.run();
  }

  public boolean isCancelled() {
    return cancelled;
  }

  /** The run's id: the preset one, or the engine's once the run started. */
  public Optional<String> runId() {
    return Optional.ofNullable(runId);
  }

  /** The run's counters so far; {@link RunProgress#NONE} before it starts. */
  public RunProgress progress() {
    return progress.get();
  }

  /** The id the engine must use, or null to make one. */
  String presetRunId() {
    return presetRunId;
  }

  void started(String id, Supplier<RunProgress> live) {
    this.runId = Objects.requireNonNull(id);
    this.progress = Objects.requireNonNull(live);
  }

  /** Freezes the counters, so the control does not keep the finished run's buffers alive. */
  void finished(RunProgress last) {
    this.progress = () -> last;
    this.onCancel = () -> {};
  }

  void onCancel(Runnable action) {
    this.onCancel = action;
    if (cancelled) {
      action.run();
    }
  }
}
