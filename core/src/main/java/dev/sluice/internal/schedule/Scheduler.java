package dev.sluice.internal.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceException;
import dev.sluice.UnknownPipelineException;
import dev.sluice.internal.DaemonThreadFactory;
import dev.sluice.internal.engine.EngineServices;
import dev.sluice.internal.engine.PipelineEngine;
import dev.sluice.pipeline.RunReport;
import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.ClusterNode;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.MisfirePolicy;
import dev.sluice.schedule.RunHandle;
import dev.sluice.schedule.RunRequest;
import dev.sluice.schedule.Ticker;
import dev.sluice.schedule.WebhookHandler;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.spi.Trigger;
import dev.sluice.spi.TriggerContext;
import dev.sluice.store.InMemoryReplayCache;
import dev.sluice.store.ReplayCache;
import dev.sluice.store.RunRecord;
import dev.sluice.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts runs of the pipelines of one Sluice instance: on API request at any time, and, between
 * {@link #start()} and {@link #close()}, from cron, webhook and plugin triggers. Every request goes
 * through the pipeline's {@link dev.sluice.pipeline.OverlapPolicy}.
 *
 * <p>Hosts use it through {@code Sluice.start()}, {@code Sluice.trigger(...)}, {@code
 * Sluice.webhooks()} and {@code Sluice.close()}.
 *
 * <p>Thread-safe.
 */
public final class Scheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
  /** How far back the run history is searched for a cron trigger's last run. */
  static final int HISTORY_SCAN = 200;

  private final EngineServices services;
  private final Map<String, PipelineRuns> runs = new LinkedHashMap<>();
  private final Map<String, List<Trigger>> pluginTriggers;
  private final Ticker ticker;
  private final boolean ownsTicker;
  private final RandomGenerator random;
  private final Duration drainTimeout;
  private final WebhookHandler webhooks;
  private final List<CronTimer> timers = new ArrayList<>();
  private final ClusterCoordinator cluster;
  private boolean clusterClosed; // guarded by this
  /** Cluster mode: handles of runs this node enqueued, so that it reuses them when it runs them itself. */
  private final HandleRegistry awaiting = new HandleRegistry();
  private ScheduledExecutorService pluginExecutor;
  private volatile boolean started;
  private boolean startAttempted;
  private boolean closed;

  /**
   * A scheduler for these pipelines; nothing fires before {@link #start()}.
   *
   * @param engines every pipeline, by name
   * @param pluginTriggers the created plugin trigger instances, by pipeline name; closed by {@link #close()}
   * @param services the instance's shared services
   * @param ticker the source of time for cron triggers
   * @param ownsTicker whether {@link #close()} shuts the ticker down
   * @param random jitter source
   * @param drainTimeout how long {@link #close()} waits for running runs to finish
   * @param cluster shares cron firing and runs with other nodes; null to schedule in this process alone
   */
  public Scheduler(Map<String, PipelineEngine> engines, Map<String, List<Trigger>> pluginTriggers,
      EngineServices services, Ticker ticker, boolean ownsTicker, RandomGenerator random, Duration drainTimeout,
      ClusterCoordinator cluster) {
    this.cluster = cluster;
    this.services = Objects.requireNonNull(services, "services");
    this.pluginTriggers = Map.copyOf(pluginTriggers);
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.ownsTicker = ownsTicker;
    this.random = Objects.requireNonNull(random, "random");
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
    List<DefaultWebhookHandler.Binding> bindings = new ArrayList<>();
    engines.forEach((name, engine) -> {
      runs.put(name, new PipelineRuns(engine, services));
      engine.pipeline().triggers().forEach(t -> {
        if (t instanceof WebhookTrigger w) {
          bindings.add(new DefaultWebhookHandler.Binding(name, w));
        }
      });
    });
    this.webhooks = new DefaultWebhookHandler(bindings, this::submitDelivery,
        replayCache(services.store(), cluster != null && !bindings.isEmpty()), services.clock(),
        services.meterRegistry(), services.objectMapper(), () -> started);
  }

  /** The store's replay cache, shared by a cluster; else one in this process's memory. */
  private static ReplayCache replayCache(Store store, boolean clusteredWebhooks) {
    return store.replayCache().orElseGet(() -> {
      if (clusteredWebhooks) {
        LOG.warn("{} has no shared replay cache: each node refuses only the webhook replays it saw itself", store);
      }
      return new InMemoryReplayCache();
    });
  }

  /**
   * Requests a run of {@code pipeline}, subject to its overlap policy.
   *
   * @param pipeline the pipeline's name
   * @param kind {@code api}, {@code cron}, {@code webhook} or {@code plugin} (a metrics tag)
   * @param trigger what asked, as kept in the run history
   * @param parameters handed to the connector; null for none
   * @return the handle of the run (queued, running, or already ended)
   * @throws UnknownPipelineException when there is no such pipeline
   * @throws IllegalStateException after {@link #close()}
   */
  public DefaultRunHandle submit(String pipeline, String kind, String trigger, JsonNode parameters) {
    PipelineRuns r = runsOf(pipeline);
    JsonNode p = parameters == null ? services.objectMapper().createObjectNode() : parameters;
    if (cluster == null) {
      return r.submit(kind, trigger, p);
    }
    return r.enqueue(kind, trigger, p, cluster, awaiting);
  }

  /**
   * A webhook delivery: on one node, when the pipeline's source is the {@code webhook} connector,
   * it joins the run of its trigger whose source has not read every delivery yet (see {@link
   * dev.sluice.internal.engine.RunParameters}); otherwise (another source, or a cluster, whose queue keeps each request in the
   * database) it asks for a run of its own.
   *
   * @param bodyBytes the size of the delivery's body
   */
  DefaultRunHandle submitDelivery(String pipeline, WebhookTrigger trigger, JsonNode payload, int bodyBytes) {
    PipelineRuns r = runsOf(pipeline);
    if (cluster == null && r.pipeline().source().type().equals(WEBHOOK_SOURCE)) {
      return r.submitDelivery(trigger.describe(), payload, bodyBytes,
          Math.max(MAX_PENDING_DELIVERY_BYTES, trigger.maxBodyBytes()));
    }
    return submit(pipeline, "webhook", trigger.describe(), payload);
  }

  /** The built-in connector that reads webhook deliveries (and no checkpoint), so runs may carry several. */
  private static final String WEBHOOK_SOURCE = "webhook";

  /** How many bytes of webhook bodies may wait in one run for its source to read them. */
  static final long MAX_PENDING_DELIVERY_BYTES = 16L << 20;

  /**
   * The handle of run {@code id} while it runs or waits on this node.
   *
   * @param id the run's id
   * @return the handle; empty when the run is not running or waiting here
   */
  public Optional<RunHandle> find(String id) {
    for (PipelineRuns r : runs.values()) {
      Optional<DefaultRunHandle> h = r.find(id);
      if (h.isPresent()) {
        return Optional.of(h.get());
      }
    }
    return Optional.empty();
  }

  /**
   * The webhook endpoints; they answer 503 until {@link #start()}.
   *
   * @return the handler
   */
  public WebhookHandler webhooks() {
    return webhooks;
  }

  /**
   * Whether {@link #start()} was called.
   *
   * @return true once started
   */
  public boolean isStarted() {
    return started;
  }

  /**
   * Arms every cron trigger, starts every plugin trigger and opens the webhook endpoints.
   *
   * @throws IllegalStateException when already started or closed
   */
  public synchronized void start() {
    if (closed || startAttempted) {
      throw new IllegalStateException(closed ? "the scheduler is closed" : started
          ? "the scheduler is already started" : "the scheduler failed to start before; build a new Sluice");
    }
    startAttempted = true;
    try {
      runs.forEach((name, r) -> r.pipeline().triggers().forEach(t -> {
        if (t instanceof CronTrigger c && cluster == null) {
          CronTimer timer = new CronTimer(name, c, ticker, random,
              f -> submit(f.pipeline(), "cron", f.trigger().describe(), cronParameters(f.scheduledFor(), f.missed())),
              services.meterRegistry());
          timers.add(timer);
          timer.start(lastRun(name, c.describe()));
        }
      }));
      pluginTriggers.forEach((name, list) -> list.forEach(t -> {
        try {
          t.start(new Context(name));
        } catch (RuntimeException e) {
          throw new SluiceException("pipeline '" + name + "': trigger " + t + " failed to start: " + e.getMessage(), e);
        }
      }));
      if (cluster != null) {
        cluster.start(new Node());
      }
    } catch (RuntimeException e) {
      stopTriggers(); // all or nothing: a half-started scheduler would fire some pipelines only
      throw e;
    }
    started = true;
    LOG.info("scheduler started{}: {} cron trigger(s), {} webhook(s), {} plugin trigger(s)",
        cluster == null ? "" : " in cluster mode (" + cluster + ")", cronTriggers().values().stream().mapToInt(List::size).sum(),
        webhooks.paths().size(), pluginTriggers.values().stream().mapToInt(List::size).sum());
  }

  /**
   * What a cron run's connector sees as its parameters: {@code {"scheduledFor": "<instant>",
   * "missed": n}}, so that a job can work on the period it was scheduled for even when it runs late.
   *
   * @param scheduledFor the regular time the run stands for
   * @param missed how many regular times the run covers (more than 1 after a misfire)
   * @return a new JSON object
   */
  public static ObjectNode cronParameters(Instant scheduledFor, int missed) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("scheduledFor", scheduledFor.toString());
    n.put("missed", missed);
    return n;
  }

  /** When {@code trigger} last asked for a run of {@code pipeline}, by the run history; null if never. */
  private Instant lastRun(String pipeline, String trigger) {
    try {
      for (RunRecord r : services.store().runs().list(pipeline, HISTORY_SCAN)) {
        if (r.trigger().equals(trigger)) {
          return r.startedAt();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("pipeline '{}': run history unavailable, missed {} times are not detected", pipeline, trigger, e);
    }
    return null;
  }

  /**
   * Stops the triggers first (no new runs start), cancels waiting runs, asks running ones to stop,
   * and waits up to the drain timeout for them. Idempotent.
   */
  @Override
  public void close() {
    List<DefaultRunHandle> active = beginClose();
    if (!awaitStoppedHere(active, System.nanoTime() + drainTimeout.toNanos())) {
      active.stream().filter(h -> !h.isDone()).forEach(h ->
          LOG.warn("pipeline '{}': run {} did not stop within {}; leaving it", h.pipeline(), h.id(), drainTimeout));
    }
    finishClose();
  }

  /**
   * The first part of {@link #close()}, for a caller that drains runs itself ({@code
   * Sluice.shutdown}): stops the triggers, cancels waiting runs and asks running ones to stop,
   * without waiting. Follow with {@link #awaitStoppedHere} and {@link #finishClose()}.
   *
   * @return the runs that were running on this node; empty when already closing
   */
  public List<DefaultRunHandle> beginClose() {
    synchronized (this) {
      if (closed) {
        return List.of();
      }
      closed = true;
      started = false;
      stopTriggers();
      if (pluginExecutor != null) {
        pluginExecutor.shutdownNow();
      }
      if (ownsTicker) {
        ticker.shutdown();
      }
    }
    List<DefaultRunHandle> active = new ArrayList<>();
    runs.values().forEach(r -> active.addAll(r.close()));
    return active;
  }

  /**
   * Waits until these runs no longer execute on this node (in cluster mode a stopped run may go on
   * elsewhere).
   *
   * @param active the handles of the runs to wait for
   * @param deadlineNanos a {@link System#nanoTime()} value: a real wait, not the clock
   * @return false when some still executed here at the deadline
   */
  public boolean awaitStoppedHere(List<DefaultRunHandle> active, long deadlineNanos) {
    for (DefaultRunHandle h : active) {
      try {
        if (!h.awaitStoppedHere(Duration.ofNanos(deadlineNanos - System.nanoTime()))) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * The last part of {@link #close()}: closes the cluster coordinator, after the runs (it may wait
   * for the runs it handed out, and a run stopped because this node closes goes to another node).
   * Idempotent.
   */
  public void finishClose() {
    synchronized (this) {
      if (clusterClosed || cluster == null) {
        return;
      }
      clusterClosed = true;
    }
    cluster.close();
  }

  private void stopTriggers() {
    timers.forEach(CronTimer::close);
    timers.clear();
    // Every instance, started or not: Sluice created them, and close is idempotent by contract.
    pluginTriggers.values().forEach(list -> list.forEach(t -> {
      try {
        t.close();
      } catch (RuntimeException e) {
        LOG.warn("closing trigger {} failed", t, e);
      }
    }));
  }

  private synchronized ScheduledExecutorService pluginExecutor() {
    if (pluginExecutor == null) {
      pluginExecutor = Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("sluice-trigger"));
    }
    return pluginExecutor;
  }

  /** Every pipeline's cron triggers, by pipeline. */
  private Map<String, List<CronTrigger>> cronTriggers() {
    Map<String, List<CronTrigger>> out = new LinkedHashMap<>();
    runs.forEach((name, r) -> r.pipeline().triggers().forEach(t -> {
      if (t instanceof CronTrigger c) {
        out.computeIfAbsent(name, k -> new ArrayList<>()).add(c);
      }
    }));
    return out;
  }

  private PipelineRuns runsOf(String pipeline) {
    PipelineRuns r = runs.get(pipeline);
    if (r == null) {
      throw new UnknownPipelineException(pipeline, runs.keySet());
    }
    return r;
  }

  /** This node, as the cluster coordinator sees it. */
  private final class Node implements ClusterNode {
    @Override
    public Map<String, List<CronTrigger>> cronTriggers() {
      return Scheduler.this.cronTriggers();
    }

    @Override
    public RunReport execute(RunRequest request) {
      PipelineRuns r = runsOf(request.pipeline());
      DefaultRunHandle own = awaiting.take(request.runId());
      DefaultRunHandle handle = own != null ? own : new DefaultRunHandle(request.runId(), request.pipeline(), request.trigger(),
          request.requestedAt(), h -> false);
      return r.runHere(handle, request.parameters());
    }

    @Override
    public Optional<RunReport> fireCron(String pipeline, CronTrigger trigger, Instant scheduledFor) {
      Instant now = services.clock().instant();
      int missed = 1;
      if (trigger.isMisfire(scheduledFor, now)) {
        missed = trigger.timesSince(scheduledFor, now);
        CronTimer.countMisfire(services.meterRegistry(), pipeline, trigger);
        LOG.warn("pipeline '{}': {} missed {} time(s) since {}; {}", pipeline, trigger.describe(), missed, scheduledFor,
            trigger.misfire() == MisfirePolicy.SKIP ? "skipped as configured" : "firing once now");
        if (trigger.misfire() == MisfirePolicy.SKIP) {
          return Optional.empty();
        }
      } else {
        CronTimer.latenessTimer(services.meterRegistry(), pipeline).record(Duration.between(scheduledFor, now));
      }
      String id = UUID.nameUUIDFromBytes((pipeline + "\n" + trigger.describe() + "\n" + scheduledFor)
          .getBytes(StandardCharsets.UTF_8)).toString();
      return Optional.of(execute(new RunRequest(id, pipeline, "cron", trigger.describe(),
          cronParameters(scheduledFor, missed), now)));
    }
  }

  private final class Context implements TriggerContext {
    private final String pipeline;

    Context(String pipeline) {
      this.pipeline = pipeline;
    }

    @Override
    public String pipeline() {
      return pipeline;
    }

    @Override
    public Clock clock() {
      return services.clock();
    }

    @Override
    public ScheduledExecutorService scheduler() {
      return pluginExecutor();
    }

    @Override
    public void fire(String reason, JsonNode parameters) {
      submit(pipeline, "plugin", reason == null || reason.isBlank() ? "trigger" : reason, parameters);
    }
  }
}
