package dev.sluice.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import org.slf4j.Logger;

/**
 * What a {@link Connector} knows about the run it is reading for.
 *
 * <p>Thread-safety: all methods may be called from any thread. Nullability: nothing returns null.
 */
public interface ReadContext {

  /**
   * The pipeline being run.
   *
   * @return the pipeline's name
   */
  String pipeline();

  /**
   * The run's unique id.
   *
   * @return the run id
   */
  String runId();

  /**
   * Parameters the trigger passed: for cron runs {@code {"scheduledFor": "<ISO instant>", "missed":
   * <n>}} (the regular time the run stands for, and how many times it covers after a misfire); the
   * request parameters for API runs; the payload for webhook runs. A run of a pipeline whose
   * source is the built-in {@code webhook} connector may carry several deliveries: the engine then
   * calls {@link Connector#read} once per delivery, each time with a context whose parameters are
   * that delivery's payload.
   *
   * @return a copy of the parameters, never null
   */
  JsonNode parameters();

  /**
   * The host's clock.
   *
   * @return the clock
   */
  Clock clock();

  /**
   * A logger for this pipeline's source.
   *
   * @return the logger
   */
  Logger logger();

  /**
   * True once the run was cancelled; stop reading soon.
   *
   * @return whether the run was cancelled
   */
  boolean isCancelled();

  /**
   * Where to report each request made to the source, masked (see {@link RequestLog}). The default
   * discards them; {@code sluice try-source} prints them.
   *
   * @return the request log
   */
  default RequestLog requestLog() {
    return RequestLog.NONE;
  }

  /**
   * Adds a line for the operator to the run's report ({@code RunReport.notes()}, shown by the CLI
   * and kept in the run history), e.g. the API quota a read consumed. The engine keeps at most 20
   * notes per run from the source, each cut to 500 characters, and says when it dropped some.
   * Never put secrets or record contents in a note. The default discards it.
   *
   * @param text one line; null or blank is ignored
   */
  default void note(String text) {}
}
