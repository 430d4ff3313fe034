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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(RunHandle.class);
  /** How often a handle looks up a run that another node of a cluster runs. */
  static final Duration LOOK_INTERVAL = Duration.ofMillis(250);
  private final String pipeline;
  private final String trigger;
  private final Instant requestedAt;
  private final RunControl control;
  private final CompletableFuture<RunReport> done = new CompletableFuture<>();
  /** Completes when the run stops executing on this node: it ended, or was handed to another node. */
  private final CompletableFuture<Void> stoppedHere = new CompletableFuture<>();
  private final Predicate<RunHandle> dequeue;
  private volatile RunStatus status = RunStatus.QUEUED;
  /** Cluster mode: where the outcome of a run on another node shows up; null for local runs. */
  private volatile Supplier<Optional<RunReport>> remote;
  private volatile long lastLook;

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

  /**
   * {@link RunStatus#QUEUED}, {@link RunStatus#RUNNING}, or the final status of the report. In
   * cluster mode a run another node runs stays {@code QUEUED} here until it ends.
   */
  public RunStatus status() {
    look();
    return status;
  }

  /** Counters so far, updated while the run goes on; {@link RunProgress#NONE} before it starts. */
  public RunProgress progress() {
    return control.progress();
  }

  public boolean isDone() {
    look();
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
    while (true) {
      Optional<RunReport> report = await(LOOK_INTERVAL);
      if (report.isPresent()) {
        return report.get();
      }
    }
  }

  /** Waits at most {@code timeout}; empty when the run has not ended by then. */
  public Optional<RunReport> await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      look();
      long left = deadline - System.nanoTime();
      // A run on another node is looked up again every LOOK_INTERVAL; a local one completes the future.
      long wait = remote == null ? left : Math.min(left, LOOK_INTERVAL.toNanos());
      try {
        return Optional.of(done.get(Math.max(0, wait), TimeUnit.NANOSECONDS));
      } catch (TimeoutException e) {
        if (System.nanoTime() - deadline >= 0) {
          return Optional.empty();
        }
      } catch (ExecutionException e) {
        throw new IllegalStateException("run handles are completed with reports only", e);
      }
    }
  }

  /**
   * Completes with the report when the run ends; never exceptionally. In cluster mode, a run that
   * another node runs is noticed when {@link #status()}, {@link #isDone()} or {@code await} look.
   */
  public CompletionStage<RunReport> completion() {
    look();
    return done.minimalCompletionStage();
  }

  /** Cluster mode: the outcome of this run, when another node runs it, is read from {@code source}. */
  void watch(Supplier<Optional<RunReport>> source) {
    this.remote = source;
  }

  /** Looks at the shared history, at most every {@link #LOOK_INTERVAL}, for a run another node runs. */
  private void look() {
    Supplier<Optional<RunReport>> source = remote;
    long now = System.nanoTime();
    if (source == null || done.isDone() || status == RunStatus.RUNNING || now - lastLook < LOOK_INTERVAL.toNanos()) {
      return;
    }
    lastLook = now;
    try {
      source.get().ifPresent(this::complete);
    } catch (RuntimeException e) {
      // The shared history is unreachable for now; the next look tries again.
      LOG.warn("run {}: could not look up its outcome in the run history: {}", id(), e.getMessage());
    }
  }

  /** Whether the report is in, without looking anywhere. */
  boolean completed() {
    return done.isDone();
  }

  RunControl control() {
    return control;
  }

  void running() {
    status = RunStatus.RUNNING;
  }

  /** Cluster mode: this node stopped the run and handed it back; another node will run it. */
  void handedBack() {
    status = RunStatus.QUEUED;
    stoppedHere.complete(null);
  }

  void complete(RunReport report) {
    status = report.status();
    done.complete(report);
    stoppedHere.complete(null);
  }

  /** Waits until the run no longer executes here; false when {@code timeout} passed first. */
  boolean awaitStoppedHere(Duration timeout) throws InterruptedException {
    try {
      stoppedHere.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("never completed exceptionally", e);
    }
  }

  @Override
  public String toString() {
    return "RunHandle{" + id() + ", pipeline=" + pipeline + ", trigger=" + trigger + ", " + status + "}";
  }
}
