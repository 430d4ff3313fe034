package dev.sluice.pipeline;

/**
 * Lets a caller cancel a run in progress.
 *
 * <p>Thread-safe: {@link #cancel()} may be called from any thread, before or during the run.
 */
public final class RunControl {
  private volatile boolean cancelled;
  private volatile Runnable onCancel = () -> {};

  /** Asks the run to stop reading; what was read is still delivered. Idempotent. */
  public void cancel() {
    cancelled = true;
    onCancel.run();
  }

  public boolean isCancelled() {
    return cancelled;
  }

  void onCancel(Runnable action) {
    this.onCancel = action;
    if (cancelled) {
      action.run();
    }
  }
}
