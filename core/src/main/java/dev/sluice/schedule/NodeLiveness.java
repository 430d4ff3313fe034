package dev.sluice.schedule;

import dev.sluice.internal.DaemonThreadFactory;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.RunRecord;
import dev.sluice.store.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's heartbeat in the run store, and ends the runs that processes which stopped
 * without finishing them left behind.
 *
 * <p>Every Sluice instance is a node with an id (the cluster node name in cluster mode, a generated
 * one otherwise) and owns the runs it starts. {@link #start()} records a heartbeat, then sweeps:
 * every {@code RUNNING} run (and every run queued in a node's own queue) whose owner's last
 * heartbeat is older than {@code interval × missed} is ended as {@link RunStatus#INTERRUPTED},
 * with the reason. It then beats and sweeps again every {@code interval}, so a run left by a
 * process that died shortly before is found within one interval once its heartbeat expired.
 *
 * <p>Only runs whose owner is silent are touched: two Sluice instances on one store (two hosts
 * embedding it without cluster mode, or {@code sluice once} next to {@code sluice run}) each keep
 * their own heartbeat and never end each other's live runs. A run is ended with a compare-and-set
 * on its status and owner, so a run another node took over in between is left alone. Runs without
 * owner (recorded by Sluice versions that did not record owners) count as orphans when {@code
 * RUNNING}. Clocks of nodes sharing a store must agree to well within the timeout.
 *
 * <p>Not API: {@code Sluice} creates one. Thread-safe.
 */
public final class NodeLiveness implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);

  private final String node;
  private final RunStore runs;
  private final Clock clock;
  private final Duration interval;
  private final Duration timeout;
  private ScheduledExecutorService timer; // guarded by this
  private boolean closed; // guarded by this

  /**
   * Liveness for node {@code node}; nothing happens before {@link #start()}.
   *
   * @param node this node's id
   * @param runs the store of run history and heartbeats
   * @param clock the clock heartbeats and ages are taken from
   * @param interval how often the node beats and sweeps
   * @param missed after this many intervals without a heartbeat a node counts as gone
   * @throws IllegalArgumentException when {@code missed} is under 1 (or the interval is not
   *     positive)
   */
  public NodeLiveness(String node, RunStore runs, Clock clock, Duration interval, int missed) {
    this.node = Objects.requireNonNull(node, "node");
    this.runs = Objects.requireNonNull(runs, "runs");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (interval == null || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("heartbeat interval must be positive, got " + interval);
    }
    if (missed < 1) {
      throw new IllegalArgumentException("missed heartbeats must be >= 1, got " + missed);
    }
    this.interval = interval;
    this.timeout = interval.multipliedBy(missed);
  }

  /**
   * This node's id.
   *
   * @return the id, never null
   */
  public String node() {
    return node;
  }

  /**
   * After this long without a heartbeat a node counts as gone.
   *
   * @return {@code interval × missed}
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Beats and sweeps once, now, then every interval on a daemon thread. A store failure is logged
   * and tried again at the next interval.
   */
  public synchronized void start() {
    if (timer != null || closed) {
      return;
    }
    beat("at start-up of node " + node);
    timer = Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("sluice-heartbeat"));
    long millis = Math.max(1, interval.toMillis());
    timer.scheduleWithFixedDelay(() -> beat("by node " + node), millis, millis, TimeUnit.MILLISECONDS);
  }

  private void beat(String foundHow) {
    try {
      runs.heartbeat(node, clock.instant());
      sweep(foundHow);
    } catch (RuntimeException e) {
      LOG.warn("node {}: could not record its heartbeat or look for interrupted runs: {}", node, e.toString());
    }
  }

  /**
   * Ends the runs whose process is gone as {@link RunStatus#INTERRUPTED}.
   *
   * @param foundHow how they were found, for the reason ("at start-up of node x")
   * @return how many runs it ended
   */
  public int sweep(String foundHow) {
    Instant now = clock.instant();
    Instant aliveSince = now.minus(timeout);
    int ended = 0;
    for (RunRecord r : runs.orphans(aliveSince)) {
      if (node.equals(r.owner())) {
        continue; // this node is alive: its heartbeat only failed to reach the store
      }
      String reason = reason(r, foundHow);
      RunRecord interrupted = new RunRecord(r.id(), r.pipeline(), r.trigger(), RunStatus.INTERRUPTED, r.startedAt(),
          now, r.recordsRead(), r.recordsDelivered(), r.recordsDeadLettered(), report(r, reason, now).toJson(),
          reason, r.owner());
      if (runs.replace(interrupted, r.status(), r.owner())) {
        ended++;
        LOG.warn("pipeline '{}': run {} ended as INTERRUPTED: {}", r.pipeline(), r.id(), reason);
      }
    }
    runs.removeNodesSilentSince(aliveSince);
    return ended;
  }

  private String reason(RunRecord r, String foundHow) {
    if (r.owner() == null) {
      return "the process running it stopped without finishing (it was started by a Sluice version that did not"
          + " record which node runs it; found " + foundHow + ")";
    }
    if (r.status() == RunStatus.QUEUED) {
      return "the process that had it queued (node " + r.owner() + ") stopped before it started: no heartbeat for "
          + timeout + " (found " + foundHow + ")";
    }
    return "the process running it (node " + r.owner() + ") stopped without finishing: no heartbeat for " + timeout
        + " (found " + foundHow + ")";
  }

  private static RunReport report(RunRecord r, String reason, Instant now) {
    if (r.details().hasNonNull("runId")) {
      try {
        return RunReport.fromJson(r.details()).interrupted(now, reason);
      } catch (IllegalArgumentException e) {
        // fall through: the details are not a report; the history keeps the essentials
      }
    }
    return RunReport.notRun(r.id(), r.pipeline(), r.trigger(), RunStatus.INTERRUPTED, r.startedAt(), reason)
        .interrupted(now, reason);
  }

  /** Stops beating and forgets this node's heartbeat (it stops cleanly). Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (timer != null) {
        timer.shutdownNow();
      }
    }
    try {
      runs.removeNode(node);
    } catch (RuntimeException e) {
      LOG.warn("node {}: could not remove its heartbeat: {}", node, e.toString());
    }
  }
}
