package dev.sluice.schedule;

import dev.sluice.pipeline.RunProgress;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A run requested through a trigger ({@code Sluice.trigger(...)}, cron, webhook, plugin): its id,
 * where it stands, its live counters, and its report once it ended.
 *
 * <p>The id is fixed when the run is requested and is the id of the run in the store's history,
 * also for runs that end {@link RunStatus#SKIPPED} (overlap policy) without reading anything.
 *
 * <p>Handles are made by Sluice's scheduler; hosts use them and never implement this interface
 * (test doubles aside). Thread-safe: every method may be called from any thread. No method
 * returns null.
 */
public interface RunHandle {
  /**
   * The run's id, as in the store's run history.
   *
   * @return the id, never null
   */
  String id();

  /**
   * The pipeline the run belongs to.
   *
   * @return the pipeline's name
   */
  String pipeline();

  /**
   * What asked for the run, as kept in the run history, e.g. {@code "api"}.
   *
   * @return the trigger's description
   */
  String trigger();

  /**
   * When the run was requested (the scheduler's clock).
   *
   * @return the request time
   */
  Instant requestedAt();

  /**
   * {@link RunStatus#QUEUED}, {@link RunStatus#RUNNING}, or the final status of the report. In
   * cluster mode a run another node runs stays {@code QUEUED} here until it ends.
   *
   * @return the current status
   */
  RunStatus status();

  /**
   * Counters so far, updated while the run goes on; {@link RunProgress#NONE} before it starts.
   *
   * @return the latest counters
   */
  RunProgress progress();

  /**
   * Whether the run ended (its report is in).
   *
   * @return true once the report is available
   */
  boolean isDone();

  /**
   * Asks the run to stop: a queued run ends {@link RunStatus#CANCELLED} without starting; a running
   * one stops reading, delivers what it read, and ends {@link RunStatus#CANCELLED}.
   *
   * @return false when the run had already ended
   */
  boolean cancel();

  /**
   * Waits for the run to end, and answers its report.
   *
   * @return the run's report
   * @throws InterruptedException when the calling thread is interrupted while waiting; the run
   *     goes on
   */
  RunReport await() throws InterruptedException;

  /**
   * Waits at most {@code timeout}; empty when the run has not ended by then.
   *
   * @param timeout how long to wait at most
   * @return the report, or empty on timeout
   * @throws InterruptedException when the calling thread is interrupted while waiting; the run
   *     goes on
   */
  Optional<RunReport> await(Duration timeout) throws InterruptedException;

  /**
   * Completes with the report when the run ends; never exceptionally. In cluster mode, a run that
   * another node runs is noticed when {@link #status()}, {@link #isDone()} or {@code await} look.
   *
   * @return a stage completed with the run's report
   */
  CompletionStage<RunReport> completion();
}
