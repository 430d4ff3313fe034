package dev.sluice.internal.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.internal.engine.EngineServices;
import dev.sluice.internal.engine.PipelineEngine;
import dev.sluice.internal.engine.RunParameters;
import dev.sluice.pipeline.EngineStoppedException;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.NodeStoppingException;
import dev.sluice.schedule.RunHandle;
import dev.sluice.schedule.RunRequest;
import dev.sluice.store.RunRecord;
import java.util.HashMap;
import java.util.Map;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs of one pipeline that triggers asked for: applies the overlap policy, starts runs on the
 * engine's executor, and starts the waiting run when the current one ends.
 *
 * <p>Thread-safe: all state changes happen under this object's lock; runs execute outside it.
 */
final class PipelineRuns {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineRuns.class);

  private final PipelineEngine engine;
  private final EngineServices services;
  private final OverlapPolicy policy;
  private final int maxConcurrent;
  private final String name;
  private final Set<DefaultRunHandle> running = new LinkedHashSet<>();
  private DefaultRunHandle waiting;
  private RunParameters waitingParameters;
  /** Per webhook trigger: the run that deliveries join while its reader has not taken them all. */
  private final Map<String, OpenRun> open = new HashMap<>();
  private boolean closed;

  /** A run whose parameters are open for deliveries to join. */
  private record OpenRun(DefaultRunHandle handle, RunParameters parameters) {}

  PipelineRuns(PipelineEngine engine, EngineServices services) {
    this.engine = engine;
    this.services = services;
    this.policy = engine.pipeline().overlap();
    this.maxConcurrent = engine.pipeline().maxConcurrentRuns();
    this.name = engine.pipeline().name();
  }

  Pipeline pipeline() {
    return engine.pipeline();
  }

  /** The handle of run {@code id} while it runs or waits here; empty otherwise. */
  synchronized java.util.Optional<DefaultRunHandle> find(String id) {
    if (waiting != null && waiting.id().equals(id)) {
      return java.util.Optional.of(waiting);
    }
    return running.stream().filter(h -> h.id().equals(id)).findFirst();
  }

  /**
   * Asks for a run; the overlap policy decides whether it starts now, waits, or is skipped.
   *
   * @param kind {@code api}, {@code cron}, {@code webhook} or {@code plugin}, for metrics
   * @throws IllegalStateException after {@link #close()}
   */
  DefaultRunHandle submit(String kind, String trigger, JsonNode parameters) {
    return submit(kind, trigger, RunParameters.single(parameters));
  }

  /**
   * A webhook delivery for this pipeline, whose source reads deliveries (the {@code webhook}
   * connector): it joins the run of the same trigger whose reader has not yet taken every delivery
   * it carries; else it asks for a run of its own, and the overlap policy applies.
   *
   * @param trigger the webhook trigger, as kept in the run history; deliveries join runs of the same trigger only
   * @param payload the delivery's parsed body; the run owns it
   * @param bytes the size of the delivery's body
   * @param maxPendingBytes how many bytes of bodies may wait in one run for its reader
   * @return the handle of the run that carries the delivery (or, when skipped, of the skipped run)
   * @throws IllegalStateException after {@link #close()}
   */
  DefaultRunHandle submitDelivery(String trigger, JsonNode payload, long bytes, long maxPendingBytes) {
    OpenRun run;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("pipeline '" + name + "': Sluice is closed, no new runs start");
      }
      run = open.get(trigger);
      if (run != null && !run.parameters().offer(payload, bytes)) {
        run = null;
      }
    }
    if (run != null) {
      fired("webhook", "joined");
      return run.handle();
    }
    return submit("webhook", trigger, RunParameters.delivery(payload, bytes, MAX_DELIVERIES_PER_RUN, maxPendingBytes));
  }

  /** The most webhook deliveries one run carries: a run ends, and its history entry appears, in bounded time. */
  static final int MAX_DELIVERIES_PER_RUN = 1_000;

  private DefaultRunHandle submit(String kind, String trigger, RunParameters parameters) {
    DefaultRunHandle handle = new DefaultRunHandle(services.runIds().get(), name, trigger, services.clock().instant(), this::dequeue);
    String outcome;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("pipeline '" + name + "': Sluice is closed, no new runs start");
      }
      if (running.isEmpty() || (policy == OverlapPolicy.ALLOW && running.size() < maxConcurrent)) {
        outcome = "started";
        running.add(handle);
      } else if (policy == OverlapPolicy.QUEUE && waiting == null) {
        outcome = "queued";
        waiting = handle;
        waitingParameters = parameters;
      } else {
        outcome = "skipped";
      }
      if (parameters.deliveries() && !outcome.equals("skipped")) {
        open.put(trigger, new OpenRun(handle, parameters));
      }
    }
    fired(kind, outcome);
    switch (outcome) {
      case "started" -> start(handle, parameters);
      case "queued" -> save(record(handle, RunStatus.QUEUED, null, services.nodeId()));
      default -> {
        String reason = "pipeline '" + name + "': not started because "
            + switch (policy) {
              case QUEUE -> "a run is in progress and another is already queued";
              case ALLOW -> maxConcurrent + " runs are in progress, the most it runs at once (maxConcurrentRuns "
                  + maxConcurrent + ")";
              default -> "a run is in progress";
            } + " (overlap policy " + policy.label() + ")";
        LOG.info("{}; trigger: {}", reason, trigger);
        finish(handle, RunStatus.SKIPPED, reason);
      }
    }
    return handle;
  }

  private void start(DefaultRunHandle handle, RunParameters parameters) {
    handle.running(); // it holds a place among the running from now on, whatever the executor's delay
    try {
      services.executor().execute(() -> execute(handle, parameters));
    } catch (RejectedExecutionException e) {
      LOG.error("pipeline '{}': run {} could not be started", name, handle.id(), e);
      synchronized (this) {
        running.remove(handle);
      }
      finish(handle, RunStatus.FAILED, "pipeline '" + name + "': run could not be started: the executor refused it ("
          + e.getMessage() + ")", parameters);
    }
  }

  private void execute(DefaultRunHandle handle, RunParameters parameters) {
    RunReport report = null;
    try {
      report = runEngine(handle, parameters);
    } finally {
      if (report == null) { // an Error is on its way up; the handle must still end
        report = notRun(handle, RunStatus.FAILED, "pipeline '" + name + "': run died, see the log");
        keepUnread(handle, parameters, "the run died");
      }
      DefaultRunHandle next = null;
      RunParameters nextParameters = null;
      synchronized (this) {
        running.remove(handle);
        if (waiting != null && running.isEmpty() && !closed) {
          next = waiting;
          nextParameters = waitingParameters;
          waiting = null;
          waitingParameters = null;
          running.add(next);
        }
      }
      handle.complete(report);
      if (next != null) {
        start(next, nextParameters);
      }
    }
  }

  private RunReport runEngine(DefaultRunHandle handle, RunParameters parameters) {
    Duration waited = Duration.between(handle.requestedAt(), services.clock().instant());
    Timer.builder("sluice.runs.wait")
        .description("From the request of a run (trigger, API call) to its start; long when runs queue up")
        .tag("pipeline", name)
        .publishPercentileHistogram()
        .register(services.meterRegistry())
        .record(waited.isNegative() ? Duration.ZERO : waited);
    try {
      return engine.run(handle.trigger(), parameters, handle.control());
    } catch (EngineStoppedException e) {
      keepUnread(handle, parameters, "Sluice was shutting down");
      return notRun(handle, RunStatus.CANCELLED, e.getMessage()); // shutdown began before it did
    } catch (RuntimeException e) {
      LOG.error("pipeline '{}': run {} failed to start", name, handle.id(), e);
      keepUnread(handle, parameters, "the run failed to start");
      return notRun(handle, RunStatus.FAILED, "pipeline '" + name + "': run failed to start: " + e);
    }
  }

  /**
   * Webhook deliveries of a run that never read them: each was answered 202, so each is kept as a
   * dead letter of the source (with its payload) rather than lost. Nothing for other runs.
   */
  private void keepUnread(DefaultRunHandle handle, RunParameters parameters, String why) {
    if (parameters == null || !parameters.deliveries()) {
      return;
    }
    engine.keepUnreadDeliveries(handle.id(), parameters.seal(), why);
  }

  /**
   * Cluster mode: records the request as queued and hands it to the coordinator, for whichever
   * node claims it.
   *
   * @param awaiting this node's handles of runs it enqueued, by id; the handle joins it
   */
  DefaultRunHandle enqueue(String kind, String trigger, JsonNode parameters, ClusterCoordinator cluster,
      HandleRegistry awaiting) {
    DefaultRunHandle handle = new DefaultRunHandle(services.runIds().get(), name, trigger, services.clock().instant(),
        h -> withdraw(h, cluster, awaiting));
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("pipeline '" + name + "': Sluice is closed, no new runs start");
      }
    }
    save(record(handle, RunStatus.QUEUED, null, null)); // any node may claim it: no owner
    awaiting.put(handle);
    // An INTERRUPTED run is not over in a cluster: the coordinator hands it to another node.
    handle.watch(() -> services.store().runs().find(handle.id())
        .filter(r -> r.status().isFinal() && r.status() != RunStatus.INTERRUPTED)
        .map(r -> RunReport.fromJson(r.details())));
    String outcome = "enqueued";
    try {
      cluster.enqueue(new RunRequest(handle.id(), name, kind, trigger, parameters, handle.requestedAt()));
    } catch (RuntimeException e) {
      outcome = "failed";
      awaiting.take(handle.id());
      LOG.error("pipeline '{}': run {} could not be queued in the cluster", name, handle.id(), e);
      finish(handle, RunStatus.FAILED, "pipeline '" + name + "': run could not be queued in the cluster: " + e.getMessage());
    }
    fired(kind, outcome);
    return handle;
  }

  private boolean withdraw(DefaultRunHandle handle, ClusterCoordinator cluster, HandleRegistry awaiting) {
    if (!cluster.withdraw(handle.id())) {
      return false;
    }
    awaiting.take(handle.id());
    finish(handle, RunStatus.CANCELLED, "pipeline '" + name + "': cancelled before a node claimed it");
    return true;
  }

  /**
   * Cluster mode: runs a request the cluster handed to this node, on the calling thread. The
   * overlap policy applies among this node's runs: {@code skip} skips it when a run of the pipeline
   * is going on here; {@code queue} and {@code allow} run it.
   *
   * @param handle the handle of the run: this node's own when it enqueued the request, else a new one
   * @throws NodeStoppingException when this node closes before or during the run; the handle is
   *     then left open, for the run goes on elsewhere
   */
  RunReport runHere(DefaultRunHandle handle, JsonNode parameters) {
    RunParameters input = RunParameters.single(parameters);
    boolean skip;
    synchronized (this) {
      if (closed) {
        throw new NodeStoppingException("pipeline '" + name + "': run " + handle.id() + " not started: this node is closing");
      }
      skip = !running.isEmpty() && policy == OverlapPolicy.SKIP;
      if (!skip) {
        running.add(handle);
      }
    }
    if (skip) {
      fired("cluster", "skipped");
      finish(handle, RunStatus.SKIPPED, "pipeline '" + name + "': not started because a run is in progress on this"
          + " node (overlap policy skip)");
      return handle.completion().toCompletableFuture().join();
    }
    handle.running();
    RunReport report = null;
    try {
      report = runEngine(handle, input);
    } finally {
      boolean stopping;
      synchronized (this) {
        running.remove(handle);
        stopping = closed;
      }
      if (report != null && stopping && report.status() == RunStatus.CANCELLED) {
        handle.handedBack(); // the run goes on elsewhere; its handle keeps following it
      } else if (report != null) {
        handle.complete(report);
      }
    }
    if (report.status() == RunStatus.CANCELLED && handle.control().isCancelled() && isClosed()) {
      throw new NodeStoppingException("pipeline '" + name + "': run " + handle.id()
          + " stopped because this node is closing; it continues from its last checkpoint elsewhere");
    }
    return report;
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private void fired(String kind, String outcome) {
    // Looked up once per kind and outcome: a webhook delivery joining a run costs little else.
    firedCounters.computeIfAbsent(kind + '/' + outcome, k -> Counter.builder("sluice.triggers.fired")
        .tag("pipeline", name).tag("trigger", kind).tag("outcome", outcome)
        .register(services.meterRegistry())).increment();
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Counter> firedCounters =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Cancels a waiting run; false when {@code handle} is not the one waiting. */
  private boolean dequeue(DefaultRunHandle handle) {
    RunParameters parameters;
    synchronized (this) {
      if (waiting != handle) {
        return false;
      }
      parameters = waitingParameters;
      waiting = null;
      waitingParameters = null;
    }
    finish(handle, RunStatus.CANCELLED, "pipeline '" + name + "': cancelled while queued", parameters);
    return true;
  }

  /** Ends a run that never started, and keeps it in the history. */
  private void finish(DefaultRunHandle handle, RunStatus status, String reason) {
    handle.complete(notRun(handle, status, reason));
  }

  /** Ends a run that never started, keeps it in the history and the deliveries it carried as dead letters. */
  private void finish(DefaultRunHandle handle, RunStatus status, String reason, RunParameters parameters) {
    keepUnread(handle, parameters, "the run ended " + status.name().toLowerCase(Locale.ROOT) + " before it started");
    handle.complete(notRun(handle, status, reason));
  }

  private RunReport notRun(DefaultRunHandle handle, RunStatus status, String reason) {
    RunReport report = RunReport.notRun(handle.id(), name, handle.trigger(), status, services.clock().instant(), reason);
    save(record(handle, status, report, services.nodeId()));
    return report;
  }

  /** History is best effort for runs that did not run: a store outage must not lose the request. */
  private void save(RunRecord record) {
    try {
      services.store().runs().save(record);
    } catch (RuntimeException e) {
      LOG.error("pipeline '{}': could not record {} run {}", name, record.status().name().toLowerCase(Locale.ROOT),
          record.id(), e);
    }
  }

  private RunRecord record(DefaultRunHandle handle, RunStatus status, RunReport report, String owner) {
    return new RunRecord(handle.id(), name, handle.trigger(), status, handle.requestedAt(),
        report == null ? null : report.finishedAt(), 0, 0, 0, report == null ? null : report.toJson(),
        report == null ? null : report.error().orElse(null), owner);
  }

  /**
   * Stops accepting runs, cancels the waiting one and asks running ones to stop.
   *
   * @return the runs that were running, to wait for
   */
  List<DefaultRunHandle> close() {
    DefaultRunHandle w;
    List<DefaultRunHandle> active;
    synchronized (this) {
      closed = true;
      w = waiting;
      active = new ArrayList<>(running);
    }
    if (w != null) {
      w.cancel();
    }
    active.forEach(DefaultRunHandle::cancel);
    return active;
  }
}
