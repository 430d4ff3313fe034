package dev.sluice.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a {@link Trigger} can do: start runs of its pipeline, and schedule work.
 *
 * <p>Thread-safety: all methods may be called from any thread. Nullability: nothing returns null.
 */
public interface TriggerContext {

  /**
   * The pipeline this trigger starts.
   *
   * @return the pipeline's name
   */
  String pipeline();

  /**
   * The host's clock.
   *
   * @return the clock
   */
  Clock clock();

  /**
   * The host's scheduler for timers; do not shut it down.
   *
   * @return the scheduler
   */
  ScheduledExecutorService scheduler();

  /**
   * Asks for a run now. The pipeline's overlap policy decides whether it starts, waits or is
   * skipped.
   *
   * @param reason a short description for the run history, e.g. {@code "file arrived: a.csv"}
   * @param parameters made available to the connector as {@link ReadContext#parameters()}
   */
  void fire(String reason, JsonNode parameters);
}
