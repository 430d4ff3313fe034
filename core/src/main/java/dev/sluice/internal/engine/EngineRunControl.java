package dev.sluice.internal.engine;

import dev.sluice.pipeline.RunControl;
import dev.sluice.pipeline.RunProgress;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The engine's {@link RunControl}: the caller's side is the interface; the engine reports the run's
 * id and live progress here and registers how to stop the run. Thread-safe.
 */
public final class EngineRunControl implements RunControl {
  private final String presetRunId;
  private volatile String runId;
  private volatile boolean cancelled;
  private volatile Runnable onCancel = () -> {};
  private volatile Supplier<RunProgress> progress = () -> RunProgress.NONE;

  /** A control whose run gets its id from the engine. */
  public EngineRunControl() {
    this.presetRunId = null;
  }

  /**
   * A control whose run will have {@code runId}.
   *
   * @param runId the run id to use
   * @throws IllegalArgumentException when {@code runId} is blank
   */
  public EngineRunControl(String runId) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("run id must not be blank, got '" + runId + "'");
    }
    this.presetRunId = runId;
    this.runId = runId;
  }

  /** Asks the run to stop reading; what was read is still delivered. Idempotent. */
  @Override
  public void cancel() {
    cancelled = true;
    onCancel.run();
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /** The run's id: the preset one, or the engine's once the run started. */
  @Override
  public Optional<String> runId() {
    return Optional.ofNullable(runId);
  }

  /** The run's counters so far; {@link RunProgress#NONE} before it starts. */
  @Override
  public RunProgress progress() {
    return progress.get();
  }

  /**
   * The id the engine must use, or null to make one.
   *
   * @return the preset id, or null
   */
  public String presetRunId() {
    return presetRunId;
  }

  /**
   * Called by the engine when the run starts.
   *
   * @param id the run's id
   * @param live supplies the run's counters while it goes on
   */
  public void started(String id, Supplier<RunProgress> live) {
    this.runId = Objects.requireNonNull(id);
    this.progress = Objects.requireNonNull(live);
  }

  /**
   * Freezes the counters, so the control does not keep the finished run's buffers alive.
   *
   * @param last the run's final counters
   */
  public void finished(RunProgress last) {
    this.progress = () -> last;
    this.onCancel = () -> {};
  }

  /**
   * Sets what cancelling does; runs it at once when the control was cancelled already.
   *
   * @param action stops the run
   */
  public void onCancel(Runnable action) {
    this.onCancel = action;
    if (cancelled) {
      action.run();
    }
  }

  /**
   * The engine's control behind {@code control}: a new one for null.
   *
   * @param control a control made by {@link RunControl}'s factories, or null
   * @return the engine's control
   * @throws IllegalArgumentException when {@code control} was not made by {@link RunControl#create()}
   *     or {@link RunControl#withRunId(String)}
   */
  public static EngineRunControl of(RunControl control) {
    if (control == null) {
      return new EngineRunControl();
    }
    if (control instanceof EngineRunControl engine) {
      return engine;
    }
    throw new IllegalArgumentException("a run control must come from RunControl.create() or RunControl.withRunId(id), got "
        + control.getClass().getName());
  }
}
