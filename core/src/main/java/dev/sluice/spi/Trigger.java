package dev.sluice.spi;

/**
 * Starts runs of one pipeline: on a schedule, when a message arrives, when a file appears.
 *
 * <p>Lifecycle: {@link #start} is called once when the host starts; the trigger then calls {@link
 * TriggerContext#fire} whenever a run should start, from any thread, until {@link #close()}.
 * {@code start} must not block; use {@link TriggerContext#scheduler()} for timers.
 *
 * <p>Thread-safety: {@code start} and {@code close} are called from one thread; {@code fire} may be
 * called from any.
 */
public interface Trigger extends AutoCloseable {

  /**
   * Begins firing.
   *
   * @param context how to start runs and schedule work; valid until {@link #close()}
   */
  void start(TriggerContext context);

  /** Stops firing; runs already started are not affected. Idempotent. */
  @Override
  default void close() {}
}
