package dev.sluice.internal.schedule;

import dev.sluice.internal.engine.EngineRunControl;
import dev.sluice.pipeline.RunProgress;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.schedule.RunHandle;
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

/** The scheduler's {@link RunHandle}: one per requested run. Thread-safe. */
public final class DefaultRunHandle implements RunHandle {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultRunHandle.class);
  /** How often a handle looks up a run that another node of a cluster runs. */
  static final Duration LOOK_INTERVAL = Duration.ofMillis(250);
  private final String pipeline;
  private final String trigger;
  private final Instant requestedAt;
  private final EngineRunControl control;
  private final CompletableFuture<RunReport> done = new CompletableFuture<>();
  /** Completes when the run stops executing on this node: it ended, or was handed to another node. */
  private final CompletableFuture<Void> stoppedHere = new CompletableFuture<>();
  private final Predicate<DefaultRunHandle> dequeue;
  private volatile RunStatus status = RunStatus.QUEUED;
  /** Cluster mode: where the outcome of a run on another node shows up; null for local runs. */
  private volatile Supplier<Optional<RunReport>> remote;
  private volatile long lastLook;

  /**
   * @param dequeue removes this handle from a waiting queue; answers false when it was not waiting
   */
  DefaultRunHandle(String id, String pipeline, String trigger, Instant requestedAt, Predicate<DefaultRunHandle> dequeue) {
    this.control = new EngineRunControl(id);
    this.pipeline = Objects.requireNonNull(pipeline);
    this.trigger = Objects.requireNonNull(trigger);
    this.requestedAt = Objects.requireNonNull(requestedAt);
    this.dequeue = Objects.requireNonNull(dequeue);
  }

  @Override
  public String id() {
    return control.runId().orElseThrow();
  }

  @Override
  public String pipeline() {
    return pipeline;
  }

  @Override
  public String trigger() {
    return trigger;
  }

  @Override
  public Instant requestedAt() {
    return requestedAt;
  }

  @Override
  public RunStatus status() {
    look();
    return status;
  }

  @Override
  public RunProgress progress() {
    return control.progress();
  }

  @Override
  public boolean isDone() {
    look();
    return done.isDone();
  }

  @Override
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

  @Override
  public RunReport await() throws InterruptedException {
    while (true) {
      Optional<RunReport> report = await(LOOK_INTERVAL);
      if (report.isPresent()) {
        return report.get();
      }
    }
  }

  @Override
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

  @Override
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

  /**
   * The engine's control of this run, to cancel it and follow its progress.
   *
   * @return the control
   */
  public EngineRunControl control() {
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
