package dev.sluice.schedule;

import dev.sluice.pipeline.RunControl;
import dev.sluice.pipeline.RunProgress;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A run requested through a trigger ({@code Sluice.trigger(...)}, cron, webhook, plugin): its id,
 * where it stands, its live counters, and its report once it ended.
 *
 * <p>The id is fixed when the run is requested and is the id of the run in the store's history,
 * also for runs that end {@link RunStatus#SKIPPED} (overlap policy) without reading anything.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class RunHandle {
  private final String pipeline;
  private final String trigger;
  private final Instant requestedAt;
  private final RunControl control;
  private final CompletableFuture<RunReport> done = new CompletableFuture<>();
  private final Predicate<RunHandle> dequeue;
  private volatile RunStatus status = RunStatus.QUEUED;

  /**
   * @param dequeue removes this handle from a waiting queue; answers false when it was not waiting
   */
  RunHandle(String id, String pipeline, String trigger, Instant requestedAt, Predicate<RunHandle> dequeue) {
    this.control = new RunControl(id);
    this.pipeline = Objects.requireNonNull(pipeline);
    this.trigger = Objects.requireNonNull(trigger);
    this.requestedAt = Objects.requireNonNull(requestedAt);
    this.dequeue = Objects.requireNonNull(dequeue);
  }

  public String id() {
    return control.runId().orElseThrow();
  }

  public String pipeline() {
    return pipeline;
  }

  /** What asked for the run, as kept in the run history, e.g. {@code "api"}. */
  public String trigger() {
    return trigger;
  }

  public Instant requestedAt() {
    return requestedAt;
  }

  /** {@link RunStatus#QUEUED}, {@link RunStatus#RUNNING}, or the final status of the report. */
  public RunStatus status() {
    return status;
  }

  /** Counters so far, updated while the run goes on; {@link RunProgress#NONE} before it starts. */
  public RunProgress progress() {
    return control.progress();
  }

  public boolean isDone() {
    return done.isDone();
  }

  /**
   * Asks the run to stop: a queued run ends {@link RunStatus#CANCELLED} without starting; a running
   * one stops reading, delivers what it read, and ends {@link RunStatus#CANCELLED}.
   *
   * @return false when the run had already ended
   */
  public boolean cancel() {
    if (done.isDone()) {
      return false;
    }
    control.cancel();
    if (status == RunStatus.QUEUED) {
      dequeue.test(this); // only a waiting run can be taken out of its queue
    }
    return true;
  }

  /** Waits for the run to end. */
  public RunReport await() throws InterruptedException {
    try {
      return done.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("run handles are completed with reports only", e);
    }
  }

  /** Waits at most {@code timeout}; empty when the run has not ended by then. */
  public Optional<RunReport> await(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(done.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw new IllegalStateException("run handles are completed with reports only", e);
    }
  }

  /** Completes with the report when the run ends; never exceptionally. */
  public CompletionStage<RunReport> completion() {
    return done.minimalCompletionStage();
  }

  RunControl control() {
    return control;
  }

  void running() {
    status = RunStatus.RUNNING;
  }

  void complete(RunReport report) {
    status = report.status();
    done.complete(report);
  }

  @Override
  public String toString() {
    return "RunHandle{" + id() + ", pipeline=" + pipeline + ", trigger=" + trigger + ", " + status + "}";
  }
}
