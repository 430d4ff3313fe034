package dev.sluice.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.JsonSize;
import dev.sluice.pipeline.EngineStoppedException;
import dev.sluice.pipeline.ErrorPolicy;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.RunControl;
import dev.sluice.pipeline.RunProgress;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.pipeline.UnmatchedPolicy;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.routing.Router;
import dev.sluice.routing.RoutingException;
import dev.sluice.routing.RoutingRule;
import dev.sluice.routing.RuleResolver;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Destination;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import dev.sluice.spi.RunInfo;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.RunRecord;
import dev.sluice.store.StoredCheckpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one pipeline: its connector, compiled rules and resolved destinations.
 *
 * <p>Data flow of a run: the connector reads on an executor thread into a queue bounded by count
 * and by bytes (backpressure); the calling thread routes each record through the rules and offers
 * the results to one {@link Dispatcher} per destination, which batches, delivers, retries and
 * dead-letters on its own worker threads (as many as the destination's delivery concurrency). A
 * checkpoint the connector emitted is committed once every record before it is settled
 * (acknowledged or dead-lettered) at every destination, whatever order batches complete in, so a
 * crash re-reads at most the unsettled tail.
 *
 * <p>Commits happen on one committer thread per run, outside every lock the router and the
 * delivery workers take: they only tell it that something settled, and it commits the newest
 * checkpoint that is committable by then, so commits are never out of order and no worker waits
 * for a database round trip. Each commit is fenced ({@link dev.sluice.store.CheckpointStore}): it
 * names the position the run loaded or last committed, so an overlapping run of the same pipeline
 * that committed in between makes this run's later commits fail instead of moving the checkpoint
 * back; the run then goes on delivering, commits no more and says so in its report.
 *
 * <p>Every wait of a run has a deadline: a batch delivery has the destination's {@code
 * deliveryTimeout}, after which delivery to that destination stops and the run fails; a worker or
 * {@code finishRun} call that ignores the interrupt is given up on (logged) after the destination's
 * {@code abandonGrace}; a source that ignores the stop request after 30 s; the last commit after 60
 * s. After {@link #abort()} all of them end within {@link #ABORT_GRACE}.
 *
 * <p>Shutdown goes through {@link #stop()} (no new runs; running ones stop reading and drain) and,
 * when the host's deadline passes, {@link #abort()} (stop delivering; what is left is counted as
 * undelivered and not checkpointed).
 *
 * <p>Thread-safe: concurrent runs share nothing but the connector, destinations (with their
 * circuit breakers and rate limits) and store.
 */
public final class PipelineEngine {
  /**
   * How long a run carrying webhook deliveries waits for another to join once it has read those it
   * had, before it takes no more (see {@link RunParameters#next(long)}).
   */
  static final long DELIVERY_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** The most notes a connector may add to one run's report. */
  static final int MAX_SOURCE_NOTES = 20;
  private static final Logger LOG = LoggerFactory.getLogger(PipelineEngine.class);
  private static final Duration READER_STOP_WAIT = Duration.ofSeconds(30);
  /** How long the last checkpoint commit of a run may take. */
  private static final Duration FINAL_COMMIT_WAIT = Duration.ofSeconds(60);
  /** After {@link #abort()}, a run ends within this, giving up on what does not stop. */
  public static final Duration ABORT_GRACE = Duration.ofSeconds(10);
  private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Pipeline pipeline;
  private final Connector connector;
  private final List<String> destinationNames;
  private final GuardedDestination[] destinations;
  /** Per destination: encode records as JSON on the routing thread ({@link Destination#writesRecordsAsJson}). */
  private final boolean[] encodeAhead;
  private final Router router;
  private final EngineServices services;
  private final Logger sourceLog;
  private final Set<Execution> active = ConcurrentHashMap.newKeySet();
  private final Meters meters;
  private boolean stopped; // guarded by active
  /** Test seam: told each time a committer looked at what may be committed. */
  private volatile CommitObserver commitObserver;

  /**
   * An engine for {@code pipeline} without custom rule plugins.
   *
   * @param pipeline the pipeline's definition
   * @param connector the pipeline's source, created from its spec
   * @param destinations every destination the pipeline names, resolved
   * @param services the instance's shared services
   * @throws IllegalArgumentException when a rule names a destination not in {@code destinations}
   */
  public PipelineEngine(
      Pipeline pipeline,
      Connector connector,
      Map<String, GuardedDestination> destinations,
      EngineServices services) {
    this(pipeline, connector, destinations, services, (type, options) -> {
      throw new IllegalStateException("pipeline '" + pipeline.name() + "' uses custom rule '" + type
          + "' but no rule plugins are available here");
    });
  }

  /**
   * An engine for {@code pipeline} that binds custom rule references through {@code rules}.
   *
   * @param pipeline the pipeline's definition
   * @param connector the pipeline's source, created from its spec
   * @param destinations every destination the pipeline names, resolved
   * @param services the instance's shared services
   * @param rules binds custom rule references ({@code rule:} conditions, {@code custom:} steps)
   */
  public PipelineEngine(
      Pipeline pipeline,
      Connector connector,
      Map<String, GuardedDestination> destinations,
      EngineServices services,
      RuleResolver rules) {
    this.pipeline = Objects.requireNonNull(pipeline);
    this.connector = Objects.requireNonNull(connector);
    this.services = Objects.requireNonNull(services);
    this.destinationNames = List.copyOf(pipeline.destinations());
    this.destinations = new GuardedDestination[destinationNames.size()];
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < destinationNames.size(); i++) {
      String name = destinationNames.get(i);
      GuardedDestination d = destinations.get(name);
      if (d == null) {
        throw new IllegalArgumentException(
            "pipeline '" + pipeline.name() + "' routes to destination '" + name
                + "', which is not defined");
      }
      this.destinations[i] = d;
      index.put(name, i);
    }
    this.encodeAhead = new boolean[this.destinations.length];
    for (int i = 0; i < encodeAhead.length; i++) {
      Destination plugin = this.destinations[i].destination();
      try {
        encodeAhead[i] = plugin.writesRecordsAsJson();
      } catch (RuntimeException e) { // a plugin's bug must not stop the pipeline: it only loses the head start
        LoggerFactory.getLogger(PipelineEngine.class).warn(
            "destination '{}': writesRecordsAsJson() failed; its records are encoded when it writes them",
            destinationNames.get(i), e);
      }
    }
    this.router = new Router(
        pipeline.rulesInPriorityOrder().stream().map(r -> r.bind(rules)).toList(), pipeline.otherwise(), index);
    this.sourceLog = LoggerFactory.getLogger("sluice.source." + pipeline.name());
    this.meters = new Meters(services.meterRegistry());
  }

  /**
   * The pipeline this engine runs.
   *
   * @return the definition
   */
  public Pipeline pipeline() {
    return pipeline;
  }

  /**
   * The pipeline's source, as created from its spec.
   *
   * @return the connector
   */
  public Connector connector() {
    return connector;
  }

  /**
   * The compiled rules, in evaluation order.
   *
   * @return the router
   */
  public Router router() {
    return router;
  }

  /**
   * Runs the pipeline now, on the calling thread, and returns when everything read was delivered
   * or dead-lettered (or, after {@link #abort()}, left undelivered).
   *
   * @param trigger what started the run, for the history
   * @param parameters handed to the connector; null for none
   * @param control to cancel the run from another thread; null for none
   * @return the run's report, whatever the outcome
   * @throws EngineStoppedException after {@link #stop()}
   */
  public RunReport run(String trigger, JsonNode parameters, RunControl control) {
    return run(trigger, RunParameters.single(parameters == null ? JsonNodeFactory.instance.objectNode()
        : parameters.deepCopy()), control);
  }

  /**
   * Runs the pipeline now, on the calling thread, reading with {@code parameters}: one set, or the
   * webhook deliveries that join the run until its reader has taken them all. Deliveries the run
   * did not read (it was cancelled or failed first) are kept as dead letters of the source.
   *
   * @param trigger what started the run, for the history
   * @param parameters what the connector reads with; the run owns them
   * @param control to cancel the run from another thread; null for none
   * @return the run's report, whatever the outcome
   * @throws EngineStoppedException after {@link #stop()}; {@code parameters} are then untouched
   */
  public RunReport run(String trigger, RunParameters parameters, RunControl control) {
    Execution execution = new Execution(trigger, Objects.requireNonNull(parameters, "parameters"),
        EngineRunControl.of(control));
    synchronized (active) {
      if (stopped) {
        throw new EngineStoppedException(pipeline.name());
      }
      active.add(execution);
    }
    try {
      return execution.execute();
    } finally {
      synchronized (active) {
        active.remove(execution);
        active.notifyAll();
      }
    }
  }

  /**
   * Keeps webhook deliveries a run did not read as dead letters of the source, each with its
   * payload: each was answered 202, so none may be dropped. For runs that never started too.
   *
   * @param runId the run that carried them
   * @param payloads the deliveries' payloads, in arrival order
   * @param why why they were not read, for the dead letters' reason
   */
  public void keepUnreadDeliveries(String runId, List<JsonNode> payloads, String why) {
    for (JsonNode payload : payloads) {
      keepAsSourceDeadLetter(runId, "webhook delivery", JsonNodeFactory.instance.objectNode().set("payload", payload),
          "webhook delivery not read: " + why + "; its payload is kept here: send it again");
    }
    if (!payloads.isEmpty()) {
      LOG.warn("pipeline '{}': run {} did not read {} webhook deliveries ({}); they are kept as dead letters",
          pipeline.name(), runId, payloads.size(), why);
    }
  }

  /** A dead letter of the source; a store failure is logged, for there is nowhere else to keep it. */
  private void keepAsSourceDeadLetter(String runId, String key, ObjectNode record, String reason) {
    Instant now = services.clock().instant();
    try {
      services.store().deadLetters().add(
          new DeadLetter(0, pipeline.name(), DeadLetter.SOURCE, runId, key, record, null, reason, 0, now, now));
    } catch (RuntimeException e) {
      LOG.error("pipeline '{}': run {} could not keep a webhook delivery as a dead letter; it is lost",
          pipeline.name(), runId, e);
    }
  }

  /**
   * Shutdown, step 1: refuses new runs and cancels the runs in progress: they stop reading and
   * deliver what they read. Idempotent.
   */
  public void stop() {
    synchronized (active) {
      stopped = true;
      active.forEach(e -> e.control.cancel());
    }
  }

  /**
   * Shutdown, step 2 (deadline passed): runs in progress stop delivering too; what they had not
   * delivered stays unacknowledged and un-checkpointed, and their reports count it as undelivered.
   */
  public void abort() {
    List<Execution> running;
    synchronized (active) {
      running = new ArrayList<>(active);
    }
    running.forEach(Execution::abort);
  }

  /**
   * Waits until no run of this pipeline is in progress.
   *
   * @param deadlineNanos a {@link System#nanoTime()} value
   * @return false when runs were still in progress at {@code deadlineNanos} ({@link System#nanoTime()})
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitIdle(long deadlineNanos) throws InterruptedException {
    synchronized (active) {
      while (!active.isEmpty()) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(active, remaining);
      }
      return true;
    }
  }

  /**
   * Runs in progress.
   *
   * @return the count
   */
  public int activeRuns() {
    synchronized (active) {
      return active.size();
    }
  }

  /** For tests: what a run's committer saw and did each time it looked. */
  public interface CommitObserver {
    /**
     * @param batchesSettled batches settled at the run's destinations before it looked
     * @param checkpointsRouted checkpoints the router had taken before it looked
     * @param committed what it committed this time, or null
     */
    void looked(long batchesSettled, long checkpointsRouted, Checkpoint committed);
  }

  /**
   * Sets who is told when the checkpoint committer looks (for tests); replaces the previous one.
   *
   * @param observer the observer, or null for none
   */
  public void observeCommits(CommitObserver observer) {
    this.commitObserver = observer;
  }

  /**
   * The pipeline's meters, resolved once so that runs only increment them (see {@code
   * docs/user-guide/observability-metrics.md}). Tags: names from the configuration and fixed
   * values, never record data. The gauges hold this engine weakly.
   */
  private final class Meters {
    final Counter read;
    final Counter rejected;
    final Counter unmatched;
    final Counter routingErrors;
    final Counter[] matched;
    final DeliveryMeters[] delivery;
    final LazyMeter<Timer> runsSucceeded;
    final LazyMeter<Timer> runsFailed;
    final LazyMeter<Timer> runsCancelled;
    final LazyMeter<Timer> checkpointSuccess;
    final LazyMeter<Timer> checkpointFenced;
    final LazyMeter<Timer> checkpointError;
    final LazyMeter<Timer> runSaveSuccess;
    final LazyMeter<Timer> runSaveError;
    final List<Gauge> gauges = new ArrayList<>();

    Meters(MeterRegistry registry) {
      String name = pipeline.name();
      read = counter(registry, "sluice.records.read", "Records the connector emitted and the router took");
      rejected = counter(registry, "sluice.records.rejected", "Inputs the connector rejected (source dead letters)");
      unmatched = counter(registry, "sluice.records.unmatched", "Records no rule matched");
      routingErrors = counter(registry, "sluice.records.routing_errors", "Records a rule or transform failed on");
      List<RoutingRule> rules = router.rules();
      matched = new Counter[rules.size()];
      for (int i = 0; i < matched.length; i++) {
        matched[i] = Counter.builder("sluice.records.matched").description("Records each rule matched")
            .tag("pipeline", name).tag("rule", rules.get(i).name()).register(registry);
      }
      delivery = new DeliveryMeters[destinationNames.size()];
      for (int i = 0; i < delivery.length; i++) {
        delivery[i] = new DeliveryMeters(registry, name, destinationNames.get(i));
        int index = i;
        gauges.add(Gauge.builder("sluice.dispatcher.buffered", PipelineEngine.this, e -> e.buffered(index))
            .description("Records waiting in the destination's dispatch buffer, over the pipeline's runs in progress")
            .tag("pipeline", name).tag("destination", destinationNames.get(i))
            .register(registry));
      }
      runsSucceeded = new LazyMeter<>(() -> runs(registry, RunStatus.SUCCEEDED));
      runsFailed = new LazyMeter<>(() -> runs(registry, RunStatus.FAILED));
      runsCancelled = new LazyMeter<>(() -> runs(registry, RunStatus.CANCELLED));
      checkpointSuccess = new LazyMeter<>(() -> store(registry, "checkpoint", "success"));
      checkpointFenced = new LazyMeter<>(() -> store(registry, "checkpoint", "fenced"));
      checkpointError = new LazyMeter<>(() -> store(registry, "checkpoint", "error"));
      runSaveSuccess = new LazyMeter<>(() -> store(registry, "run", "success"));
      runSaveError = new LazyMeter<>(() -> store(registry, "run", "error"));
      gauges.add(Gauge.builder("sluice.queue.depth", PipelineEngine.this, PipelineEngine::queueDepth)
          .description("Items waiting in the read queue between connector and router, over the pipeline's runs in progress")
          .tag("pipeline", name)
          .register(registry));
      gauges.add(Gauge.builder("sluice.runs.active", PipelineEngine.this, PipelineEngine::activeRuns)
          .description("Runs of the pipeline in progress on this node")
          .tag("pipeline", name)
          .register(registry));
    }

    Timer runs(RunStatus status) {
      switch (status) {
        case SUCCEEDED:
          return runsSucceeded.get();
        case CANCELLED:
          return runsCancelled.get();
        default:
          return runsFailed.get();
      }
    }

    private Counter counter(MeterRegistry registry, String meter, String description) {
      return Counter.builder(meter).description(description).tag("pipeline", pipeline.name()).register(registry);
    }

    private Timer runs(MeterRegistry registry, RunStatus status) {
      return Timer.builder("sluice.runs")
          .description("Duration of finished runs, by status")
          .tag("pipeline", pipeline.name())
          .tag("status", status.name().toLowerCase(java.util.Locale.ROOT))
          .publishPercentileHistogram()
          .maximumExpectedValue(Duration.ofHours(1))
          .register(registry);
    }

    private Timer store(MeterRegistry registry, String operation, String outcome) {
      return Timer.builder("sluice.store.commit")
          .description("One write of run state (checkpoint commit, run record) to the store")
          .tag("pipeline", pipeline.name())
          .tag("operation", operation)
          .tag("outcome", outcome)
          .publishPercentileHistogram()
          .register(registry);
    }
  }

  /**
   * Removes this engine's gauges from the registry (when Sluice closes), so that a later Sluice
   * instance on the same registry registers its own. Counters and timers stay: they are cumulative.
   */
  public void removeGauges() {
    meters.gauges.forEach(services.meterRegistry()::remove);
  }

  /** Items in the read queues of the runs in progress. */
  private double queueDepth() {
    long n = 0;
    for (Execution e : active) {
      n += e.queue.size();
    }
    return n;
  }

  /** Records buffered for the destination at {@code index} in the runs in progress. */
  private double buffered(int index) {
    long n = 0;
    for (Execution e : active) {
      Dispatcher d = e.dispatcher(index);
      n += d == null ? 0 : d.buffered();
    }
    return n;
  }

  /**
   * A bounded name for what started a run, for observations: {@code api}, {@code cron}, {@code
   * webhook} or {@code other} (plugin triggers name their runs freely, and so may hosts).
   */
  static String triggerKind(String trigger) {
    if (trigger.equals("api")) {
      return "api";
    }
    if (trigger.startsWith("cron ")) {
      return "cron";
    }
    if (trigger.startsWith("webhook ")) {
      return "webhook";
    }
    return "other";
  }

  private static final Object END = new Object();

  private record ReaderFailed(Throwable error) {}

  private record CheckpointItem(Checkpoint checkpoint) {}

  private record RejectItem(String raw, String location, String reason) {}

  private record PendingCheckpoint(long seq, Checkpoint checkpoint) {}

  /** A delivery worker of the destination at index {@code destination}. */
  private record Worker(int destination, Future<?> future) {}

  /** One run. */
  private final class Execution implements Router.RouteSink {
    private final String trigger;
    private final RunParameters parameters;
    private final EngineRunControl control;
    private final String runId;
    private final Clock clock;
    private final Instant startedAt;
    private final RecordQueue queue;
    private final Dispatcher[] dispatchers;
    private final long[] ruleMatches;
    private final Router.Scratch routing = new Router.Scratch(); // used by the routing thread only
    private final CountDownLatch readerDone = new CountDownLatch(1);
    /** Taken by the reader when it begins, or by stopReader to keep a reader that never began from beginning. */
    private final AtomicBoolean readerClaimed = new AtomicBoolean();
    private final Committer committer = new Committer();
    /** Things the report should tell: a resumed interrupted run, a fenced checkpoint. */
    private final List<String> notes = new CopyOnWriteArrayList<>();
    /** Notes the connector added through {@link ReadContext#note}, counted to bound them. */
    private final java.util.concurrent.atomic.AtomicInteger sourceNotes = new java.util.concurrent.atomic.AtomicInteger();

    private final Object checkpointLock = new Object();
    private final ArrayDeque<PendingCheckpoint> pendingCheckpoints = new ArrayDeque<>(); // guarded by checkpointLock
    private volatile long checkpointsRouted;
    private final AtomicLong batchesSettled = new AtomicLong();

    private volatile long routedUpTo;
    private long seq;
    /** Estimated size of the record being routed, as measured by the reader. Router thread only. */
    private long currentBytes;
    private Record lastMeasured;
    private long lastMeasuredBytes;
    // Written by the routing thread only; volatile so progress() and checkpoint commits on other
    // threads see current values.
    private volatile long read;
    private volatile long rejected;
    private volatile long unmatched;
    private volatile long routingErrors;
    /** The stored position this run loaded or last committed; the committer's (or the run's, at the end). */
    private volatile StoredCheckpoint position;
    private volatile Checkpoint committed;
    private volatile boolean fencedOut;
    private volatile String resumedAfter;
    private volatile Future<?> reader;
    /** The webhook delivery the reader is reading, while it reads it. */
    private volatile JsonNode readingDelivery;
    /** Webhook deliveries taken off the parameters when the run was cancelled, to keep as dead letters. */
    private final List<JsonNode> sealedDeliveries = new ArrayList<>();
    private boolean aborted; // guarded by dispatchers
    /** Set by abort(): every wait after it ends by then ({@link System#nanoTime()}). */
    private volatile long abortDeadlineNanos = Long.MAX_VALUE;
    /** The run's observation ({@code sluice.run}); null when nothing is observed. */
    private volatile Observation observation;
    // What the counters were last told; routing thread only.
    private long flushedRead;
    private long flushedRejected;
    private long flushedUnmatched;
    private long flushedRoutingErrors;
    private final long[] flushedMatches;

    Execution(String trigger, RunParameters parameters, EngineRunControl control) {
      this.trigger = Objects.requireNonNull(trigger, "trigger");
      this.parameters = parameters;
      this.control = control;
      this.runId = control.presetRunId() != null ? control.presetRunId() : services.runIds().get();
      this.clock = services.clock();
      this.startedAt = clock.instant();
      this.queue = new RecordQueue(pipeline.queueCapacity(), pipeline.queueBytes());
      this.dispatchers = new Dispatcher[destinations.length];
      this.ruleMatches = new long[router.rules().size()];
      this.flushedMatches = new long[ruleMatches.length];
    }

    Dispatcher dispatcher(int index) {
      synchronized (dispatchers) {
        return dispatchers[index];
      }
    }

    /** Tells the record counters what the router counted since last time. Routing thread only. */
    private void flushCounts() {
      meters.read.increment(read - flushedRead);
      flushedRead = read;
      if (rejected != flushedRejected) {
        meters.rejected.increment(rejected - flushedRejected);
        flushedRejected = rejected;
      }
      if (unmatched != flushedUnmatched) {
        meters.unmatched.increment(unmatched - flushedUnmatched);
        flushedUnmatched = unmatched;
      }
      if (routingErrors != flushedRoutingErrors) {
        meters.routingErrors.increment(routingErrors - flushedRoutingErrors);
        flushedRoutingErrors = routingErrors;
      }
      for (int i = 0; i < ruleMatches.length; i++) {
        long m = ruleMatches[i];
        if (m != flushedMatches[i]) {
          meters.matched[i].increment(m - flushedMatches[i]);
          flushedMatches[i] = m;
        }
      }
    }

    /** Times one write of run state to the store. */
    private <T> T timed(LazyMeter<Timer> success, LazyMeter<Timer> error, Supplier<T> write) {
      long t0 = System.nanoTime();
      boolean ok = false;
      try {
        T result = write.get();
        ok = true;
        return result;
      } finally {
        (ok ? success : error).get().record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
      }
    }

    private void saveRun(RunRecord record) {
      timed(meters.runSaveSuccess, meters.runSaveError, () -> {
        services.store().runs().save(record);
        return null;
      });
    }

    private Observation startRunObservation() {
      ObservationRegistry registry = services.observationRegistry();
      if (registry.isNoop()) {
        return null;
      }
      return Observation.createNotStarted("sluice.run", registry)
          .contextualName("run " + pipeline.name())
          .lowCardinalityKeyValue("pipeline", pipeline.name())
          .lowCardinalityKeyValue("trigger", triggerKind(trigger))
          .highCardinalityKeyValue("run.id", runId)
          .highCardinalityKeyValue("run.trigger", trigger)
          .start();
    }

    RunReport execute() {
      Observation run = startRunObservation();
      observation = run;
      RunReport report = null;
      Throwable failure = null;
      try (RunMdc mdc = RunMdc.caller(pipeline.name(), runId);
          Observation.Scope scope = run == null ? null : run.openScope()) {
        report = executeObserved();
        return report;
      } catch (RuntimeException | Error e) {
        failure = e;
        throw e;
      } finally {
        if (run != null) {
          if (report != null) {
            run.lowCardinalityKeyValue("status", report.status().name().toLowerCase(java.util.Locale.ROOT));
            report.error().ifPresent(message -> run.error(new RunFailedException(message)));
          } else {
            run.lowCardinalityKeyValue("status", "failed");
            run.error(failure);
          }
          run.stop();
        }
      }
    }

    private RunReport executeObserved() {
      String name = pipeline.name();
      LOG.info("pipeline '{}': run {} started (trigger: {})", name, runId, trigger);
      control.started(runId, this::progress);
      RunRecord earlierAttempt = services.store().runs().find(runId).orElse(null);
      saveRun(RunRecord.started(runId, name, trigger, startedAt, services.nodeId()));
      List<Worker> workers = new ArrayList<>();
      String error = null;
      try {
        StoredCheckpoint from = services.store().checkpoints().position(name).orElse(null);
        position = from;
        noteResumption(earlierAttempt, from);
        startDispatchers(workers);
        // A cancelled run stops reading and delivers what it read. Webhook deliveries are all
        // "read" (answered 202, in memory): the one being read is finished and routed, the others
        // kept as dead letters; interrupting the reader would lose the one it is reading. Sealed
        // before the reader starts, so a run cancelled before it began reads none.
        if (parameters.deliveries()) {
          control.onCancel(this::sealDeliveries);
        }
        reader = services.executor().submit(() -> read(from == null ? null : from.checkpoint()));
        startCommitter();
        if (!parameters.deliveries()) {
          control.onCancel(this::stopReader);
        }
        error = route();
      } catch (RuntimeException e) {
        error = "pipeline '" + name + "': " + e;
        LOG.error("pipeline '{}': run {} failed", name, runId, e);
      } finally {
        flushCounts();
        stopReader();
        queue.close(); // a source still emitting gets an InterruptedException
        awaitReader();
        keepUnreadDeliveries();
        for (Dispatcher d : dispatchers) {
          if (d != null) {
            d.close();
          }
        }
        error = firstNonNull(error, awaitWorkers(workers));
      }
      error = firstNonNull(error, committer.finish());
      long undelivered = undelivered();
      if (undelivered > 0) {
        error = firstNonNull(error, "pipeline '" + name + "': shutdown deadline passed with " + undelivered
            + " record(s) undelivered; they were not checkpointed and the next run reads them again");
      }
      RunStatus status =
          error != null ? RunStatus.FAILED : control.isCancelled() ? RunStatus.CANCELLED : RunStatus.SUCCEEDED;
      error = firstNonNull(error, finishDestinations(status == RunStatus.SUCCEEDED));
      if (error != null) {
        status = RunStatus.FAILED;
      }
      RunReport report = report(status, clock.instant(), error, committed);
      control.finished(progress());
      saveRun(toRecord(report));
      recordMetrics(report);
      if (status == RunStatus.FAILED) {
        LOG.warn("pipeline '{}': run {} failed after {} records: {}", name, runId, read, error);
      } else {
        LOG.info("pipeline '{}': run {} {}: {} read, {} delivered, {} dead-lettered", name, runId,
            status.name().toLowerCase(java.util.Locale.ROOT), read, report.delivered(), report.deadLettered());
      }
      return report;
    }

    /**
     * Notes in the report when this run picks up after one that was interrupted: an earlier attempt
     * of the same run (a cluster node runs it again after its node died), or the run that committed
     * the checkpoint it starts from.
     */
    private void noteResumption(RunRecord earlierAttempt, StoredCheckpoint from) {
      if (earlierAttempt != null && !services.nodeId().equals(earlierAttempt.owner())
          && (earlierAttempt.status() == RunStatus.RUNNING || earlierAttempt.status() == RunStatus.INTERRUPTED)) {
        resumedAfter = runId;
        notes.add("an earlier attempt of this run" + (earlierAttempt.owner() == null ? ""
            : " on node " + earlierAttempt.owner()) + " was interrupted"
            + (earlierAttempt.error() == null ? "" : " (" + earlierAttempt.error() + ")")
            + "; this attempt resumes from the last committed checkpoint");
        return;
      }
      if (from == null || from.runId().equals(runId)) {
        return;
      }
      try {
        services.store().runs().find(from.runId())
            .filter(r -> r.status() == RunStatus.INTERRUPTED)
            .ifPresent(r -> {
              resumedAfter = r.id();
              notes.add("resumes from the checkpoint of run " + r.id() + ", which was interrupted"
                  + (r.error() == null ? "" : ": " + r.error()));
            });
      } catch (RuntimeException e) {
        LOG.warn("pipeline '{}': run {}: could not look up run {} that committed the checkpoint", pipeline.name(),
            runId, from.runId(), e);
      }
    }

    private void startDispatchers(List<Worker> workers) {
      synchronized (dispatchers) {
        for (int i = 0; i < destinations.length; i++) {
          Dispatcher d = new Dispatcher(pipeline.name(), runId, destinations[i], services.store().deadLetters(),
              this::settled, meters.delivery[i], services.observationRegistry(), observation);
          dispatchers[i] = d;
          if (aborted) {
            d.abort();
          }
          for (int w = 0; w < d.concurrency(); w++) {
            workers.add(new Worker(i, services.executor().submit(d::runWorker)));
          }
        }
      }
    }

    private void startCommitter() {
      try {
        services.executor().execute(committer);
      } catch (RejectedExecutionException e) {
        // No thread for it: the run commits its last checkpoint itself when it ends.
        LOG.warn("pipeline '{}': run {}: no thread for the checkpoint committer ({}); committing at the end only",
            pipeline.name(), runId, e.getMessage());
      }
    }

    /** Stops reading and delivering; see {@link PipelineEngine#abort()}. */
    void abort() {
      abortDeadlineNanos = System.nanoTime() + ABORT_GRACE.toNanos();
      control.cancel();
      synchronized (dispatchers) {
        aborted = true;
        for (Dispatcher d : dispatchers) {
          if (d != null) {
            d.abort();
          }
        }
      }
    }

    private long undelivered() {
      long n = 0;
      for (Dispatcher d : dispatchers) {
        n += d == null ? 0 : d.undelivered();
      }
      return n;
    }

    /** Routes until the reader ends; returns the run's error, or null. */
    private String route() {
      String name = pipeline.name();
      try {
        while (true) {
          String problem = deliveryProblem();
          if (problem != null) {
            return problem;
          }
          if (control.isCancelled() && !parameters.deliveries()) {
            return null; // webhook deliveries: the reader stops after the current one and sends END
          }
          Object item = queue.poll(50, TimeUnit.MILLISECONDS);
          if (item == null) {
            watchDeliveries();
            continue;
          }
          if (item instanceof Record) {
            String failure = routeRecord((Record) item, queue.lastTakenBytes());
            if (failure != null) {
              return failure;
            }
          } else if (item instanceof CheckpointItem) {
            addCheckpoint(((CheckpointItem) item).checkpoint());
          } else if (item instanceof RejectItem) {
            RejectItem r = (RejectItem) item;
            rejected++;
            ObjectNode raw = JsonNodeFactory.instance.objectNode().put("raw", r.raw());
            park(DeadLetter.SOURCE, r.location(), raw, null, "rejected input at " + r.location() + ": " + r.reason());
          } else if (item instanceof ReaderFailed) {
            Throwable t = ((ReaderFailed) item).error();
            return "pipeline '" + name + "': source '" + pipeline.source().type() + "' failed: "
                + (t.getMessage() == null ? t.toString() : t.getMessage());
          } else if (item == END) {
            return null;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        control.cancel();
        return null;
      } catch (DeliveryAbortedException e) {
        // Shutdown (the report counts what was left undelivered) or a hung destination (its reason).
        return deliveryProblem();
      }
    }

    /** Why delivery to some destination stopped (a worker died, a delivery hung), or null. */
    private String deliveryProblem() {
      for (Dispatcher d : dispatchers) {
        if (d.failure() != null) {
          return "pipeline '" + pipeline.name() + "': delivery to destination '" + d.destinationName()
              + "' stopped: " + d.failure();
        }
        if (d.stopReason() != null) {
          return "pipeline '" + pipeline.name() + "': " + d.stopReason();
        }
      }
      return null;
    }

    private void watchDeliveries() {
      long now = System.nanoTime();
      for (Dispatcher d : dispatchers) {
        d.checkHung(now);
      }
    }

    private String routeRecord(Record item, long bytes) throws InterruptedException {
      Record record = item.stamped(pipeline.source().type(), clock.instant());
      seq++;
      read++;
      if ((read & 1023) == 0) {
        flushCounts();
      }
      currentBytes = bytes;
      try {
        int matched = router.route(record, routing, this, ruleMatches);
        if (matched == 0) {
          unmatched++;
          if (pipeline.unmatched() == UnmatchedPolicy.DEAD_LETTER) {
            park(DeadLetter.ROUTER, record.key(), RecordCodec.toJson(record), null, "no rule matched");
          }
        }
      } catch (RoutingException e) {
        routingErrors++;
        String reason = "record '" + record.key() + "': " + e.getMessage();
        if (pipeline.onError() == ErrorPolicy.FAIL) {
          return "pipeline '" + pipeline.name() + "': " + reason;
        }
        park(DeadLetter.ROUTER, record.key(), RecordCodec.toJson(record), null, e.getMessage());
      }
      routedUpTo = seq; // published after the offers above, see Dispatcher.settledUpTo
      return null;
    }

    @Override
    public void accept(int destination, Record record, Record original) throws InterruptedException {
      long bytes;
      if (original == null) {
        bytes = currentBytes; // as read: measured once, by the reader
      } else {
        if (record != lastMeasured) { // a transformed copy, often fanned out to several destinations
          lastMeasured = record;
          lastMeasuredBytes = JsonSize.of(record.data());
        }
        bytes = lastMeasuredBytes;
      }
      if (encodeAhead[destination]) {
        // Encoded here, on the routing thread, so the encoding overlaps with the destination's
        // writing (its thread was the pipeline's bottleneck) and is shared by every destination
        // the record fans out to. The bytes are held until delivery: count them.
        try {
          bytes += record.jsonLength();
        } catch (RuntimeException e) {
          // A value Jackson cannot write: left to the destination, whose delivery reports it for
          // this record (retries, dead letter) like any other write failure.
        }
      }
      dispatchers[destination].offer(seq, record, original, bytes);
    }

    private void park(String destination, String key, ObjectNode record, ObjectNode original, String reason) {
      Instant now = clock.instant();
      services.store().deadLetters().add(
          new DeadLetter(0, pipeline.name(), destination, runId, key, record, original, reason, 0, now, now));
    }

    private void addCheckpoint(Checkpoint checkpoint) {
      synchronized (checkpointLock) {
        PendingCheckpoint last = pendingCheckpoints.peekLast();
        if (last != null && last.seq() == seq) {
          pendingCheckpoints.pollLast(); // nothing between them: the newer one supersedes
        }
        pendingCheckpoints.addLast(new PendingCheckpoint(seq, checkpoint));
        checkpointsRouted++;
      }
      committer.request();
    }

    /** A worker settled a batch. Never blocks: the committer does the work. */
    private void settled() {
      batchesSettled.incrementAndGet();
      committer.request();
    }

    /** The newest pending checkpoint whose records are all settled, taken off the list; or null. */
    private PendingCheckpoint takeCommittable() {
      synchronized (checkpointLock) {
        long routed = routedUpTo; // read before the dispatchers, see Dispatcher.settledUpTo
        long safe = routed;
        for (Dispatcher d : dispatchers) {
          if (d != null) {
            safe = Math.min(safe, d.settledUpTo(routed));
          }
        }
        PendingCheckpoint toCommit = null;
        while (!pendingCheckpoints.isEmpty() && pendingCheckpoints.peekFirst().seq() <= safe) {
          toCommit = pendingCheckpoints.pollFirst();
        }
        return toCommit;
      }
    }

    /**
     * Commits the newest committable checkpoint, fenced on the position this run holds. Only one
     * thread at a time calls it (see {@link Committer}).
     */
    private void commitNewest() {
      long settledSeen = batchesSettled.get();
      long checkpointsSeen = checkpointsRouted;
      PendingCheckpoint toCommit = fencedOut ? null : takeCommittable();
      Checkpoint done = null;
      if (toCommit != null) {
        Checkpoint c = toCommit.checkpoint();
        StoredCheckpoint expected = position;
        RunRecord progress = toRecord(report(RunStatus.RUNNING, null, null, c));
        long t0 = System.nanoTime();
        Optional<StoredCheckpoint> next;
        try {
          next = services.store().checkpoints().commit(pipeline.name(), c, expected, progress);
        } catch (RuntimeException | Error e) {
          meters.checkpointError.get().record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
          // Not committed: it stays pending, so the next look (or the run's last commit) tries it
          // again. Dropping it let a later look with nothing new clear the failure, and the run
          // ended SUCCEEDED with its checkpoint never stored.
          synchronized (checkpointLock) {
            pendingCheckpoints.addFirst(toCommit);
          }
          throw e;
        }
        (next.isPresent() ? meters.checkpointSuccess : meters.checkpointFenced).get()
            .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        if (next.isPresent()) {
          position = next.get();
          committed = c;
          done = c;
        } else {
          fencedOut = true;
          String note = "checkpoints not committed after " + (committed == null ? "the start" : committed)
              + ": another run of the pipeline committed one since this run "
              + (committed == null ? "loaded its start position" : "last committed")
              + " (overlapping runs); the first to commit wins, and what this run delivered after the stored"
              + " checkpoint is read again by the next run";
          notes.add(note);
          LOG.warn("pipeline '{}': run {}: {}", pipeline.name(), runId, note);
        }
      }
      CommitObserver o = commitObserver;
      if (o != null) {
        o.looked(settledSeen, checkpointsSeen, done);
      }
    }

    private void read(Checkpoint from) {
      if (!readerClaimed.compareAndSet(false, true)) {
        return; // the run was stopped before this task began; stopReader counted readerDone down
      }
      // A plugin's libraries may look things up through the context class loader (ServiceLoader,
      // Jackson modules, JAXB): while it reads, it is the loader of the connector's own classes.
      Thread thread = Thread.currentThread();
      ClassLoader previousLoader = thread.getContextClassLoader();
      thread.setContextClassLoader(connector.getClass().getClassLoader());
      Observation observed = startReadObservation();
      RunMdc mdc = RunMdc.engine(pipeline.name(), runId);
      Observation.Scope scope = observed == null ? null : observed.openScope();
      try {
        QueueEmitter emitter = new QueueEmitter();
        // Webhook deliveries: cancelling seals the parameters (sealDeliveries), so this loop ends
        // after the delivery it is reading; the rest become dead letters when the run ends.
        for (JsonNode p = parameters.next(); p != null; p = parameters.next(DELIVERY_LINGER_NANOS)) {
          readingDelivery = p;
          connector.read(new Context(p), from, emitter);
          readingDelivery = null;
        }
        queue.put(END, 0);
      } catch (InterruptedException e) {
        // cancelled: the router no longer takes from the queue
        Thread.currentThread().interrupt();
      } catch (Throwable t) {
        if (observed != null) {
          observed.error(t);
        }
        if (!control.isCancelled()) {
          sourceLog.error("pipeline '{}': source failed in run {}", pipeline.name(), runId, t);
        }
        try {
          queue.put(new ReaderFailed(t), 0);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } finally {
        if (scope != null) {
          scope.close();
        }
        if (observed != null) {
          observed.stop();
        }
        mdc.close();
        thread.setContextClassLoader(previousLoader);
        readerDone.countDown();
      }
    }

    /**
     * Seals the run's parameters; webhook deliveries it carried but did not read (it was cancelled,
     * failed, or its source stopped early) become dead letters of the source, for each was answered
     * 202. Says in the report how many deliveries the run carried when it carried more than one.
     */
    private void keepUnreadDeliveries() {
      List<JsonNode> unread = new ArrayList<>(parameters.seal());
      if (!parameters.deliveries()) {
        return;
      }
      synchronized (sealedDeliveries) {
        unread.addAll(0, sealedDeliveries);
        sealedDeliveries.clear();
      }
      // Read but not routed (the run failed or hit the shutdown deadline): kept, not dropped.
      for (Object item : queue.drain()) {
        if (item instanceof Record r) {
          rejected++;
          keep(r.key(), JsonNodeFactory.instance.objectNode().set("payload", r.data()),
              "webhook record read but not routed: the run ended first (" + endedBecause() + "); send it again");
        } else if (item instanceof RejectItem r) {
          rejected++;
          keep(r.location(), JsonNodeFactory.instance.objectNode().put("raw", r.raw()),
              "rejected input at " + r.location() + ": " + r.reason());
        }
      }
      JsonNode interrupted = readingDelivery;
      if (interrupted != null) {
        rejected++;
        keep("webhook delivery", JsonNodeFactory.instance.objectNode().set("payload", interrupted),
            "webhook delivery partly read: the run ended while its source read it (" + endedBecause()
                + "); some of its records may have been delivered; send it again");
      }
      int carried = parameters.count();
      if (carried > 1) {
        notes.add("carried " + carried + " webhook deliveries (those that arrived before its source had read"
            + " the ones before)");
      }
      rejected += unread.size();
      PipelineEngine.this.keepUnreadDeliveries(runId, unread, "the run ended before its source read it (" + endedBecause() + ")");
    }

    private String endedBecause() {
      return control.isCancelled() ? "cancelled" : "it failed or its source stopped early";
    }

    private void keep(String key, ObjectNode record, String reason) {
      keepAsSourceDeadLetter(runId, key, record, reason);
    }

    /** On cancel, for webhook deliveries: nothing joins or is read after the delivery being read. */
    private void sealDeliveries() {
      List<JsonNode> left = parameters.seal();
      synchronized (sealedDeliveries) {
        sealedDeliveries.addAll(left);
      }
    }

    /** The {@code sluice.read} observation, a child of the run's; null when nothing is observed. */
    private Observation startReadObservation() {
      Observation parent = observation;
      if (parent == null) {
        return null;
      }
      return Observation.createNotStarted("sluice.read", services.observationRegistry())
          .contextualName("read " + pipeline.name())
          .parentObservation(parent)
          .lowCardinalityKeyValue("pipeline", pipeline.name())
          .lowCardinalityKeyValue("source", pipeline.source().type())
          .highCardinalityKeyValue("run.id", runId)
          .start();
    }

    private void stopReader() {
      if (readerClaimed.compareAndSet(false, true)) {
        readerDone.countDown(); // the reader never began and now never will: nothing to wait for
      }
      Future<?> r = reader;
      if (r != null && !r.isDone()) {
        r.cancel(true);
      }
    }

    private void awaitReader() {
      if (reader == null) {
        return;
      }
      long wait = Math.min(READER_STOP_WAIT.toNanos(), Math.max(0, abortDeadlineNanos - System.nanoTime()));
      try {
        if (!readerDone.await(wait, TimeUnit.NANOSECONDS)) {
          LOG.warn("pipeline '{}': source of run {} ignored the stop request for {} ms; leaving it",
              pipeline.name(), runId, TimeUnit.NANOSECONDS.toMillis(wait));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Waits for the delivery workers, watching for hung deliveries; gives up on a worker that still
     * delivers after its dispatcher was stopped and the destination's abandon grace passed.
     */
    private String awaitWorkers(List<Worker> workers) {
      String error = null;
      for (Worker w : workers) {
        Dispatcher d = dispatchers[w.destination()];
        while (true) {
          long now = System.nanoTime();
          d.checkHung(now);
          long giveUpAt = Math.min(d.abandonAtNanos(), abortDeadlineNanos);
          if (now - giveUpAt >= 0) {
            if (d.abandonStuck() > 0) {
              error = firstNonNull(error, "pipeline '" + pipeline.name() + "': destination '" + d.destinationName()
                  + "' did not return from a delivery after it was interrupted; gave up on it, its records were"
                  + " not checkpointed and the next run reads them again");
            }
            if (!w.future().isDone()) {
              break; // between calls, or stuck outside the destination: nothing more to wait for here
            }
          }
          try {
            w.future().get(Math.max(1, Math.min(WATCH_NANOS, giveUpAt - now)), TimeUnit.NANOSECONDS);
            break;
          } catch (TimeoutException e) {
            // look again
          } catch (CancellationException e) {
            break;
          } catch (ExecutionException e) {
            error = firstNonNull(error, "pipeline '" + pipeline.name() + "': delivery to destination '"
                + destinationNames.get(w.destination()) + "' failed: " + e.getCause());
            break;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = firstNonNull(error, "pipeline '" + pipeline.name() + "': interrupted while delivering");
            return error;
          }
        }
      }
      return firstNonNull(deliveryProblem(), error);
    }

    private String finishDestinations(boolean succeeded) {
      String error = null;
      RunInfo info = new RunInfo(pipeline.name(), runId, startedAt);
      for (int i = 0; i < destinations.length; i++) {
        String problem = finishDestination(destinations[i], destinationNames.get(i), info, succeeded);
        error = firstNonNull(error, problem);
      }
      return error;
    }

    /** Calls the destination's finishRun with a deadline (its deliveryTimeout). */
    private String finishDestination(GuardedDestination d, String name, RunInfo info, boolean succeeded) {
      String prefix = "pipeline '" + pipeline.name() + "': destination '" + name + "'";
      Future<?> call;
      try {
        call = services.executor().submit(() -> {
          try (RunMdc mdc = RunMdc.engine(pipeline.name(), runId, name)) {
            d.finishRun(info, succeeded);
          }
          return null;
        });
      } catch (RejectedExecutionException e) {
        try {
          d.finishRun(info, succeeded); // no thread to spare (shutting down): call it here
          return null;
        } catch (Exception ex) {
          return failedToFinish(prefix, name, ex);
        }
      }
      long deadline = Math.min(System.nanoTime() + d.settings().deliveryTimeout().toNanos(), abortDeadlineNanos);
      try {
        call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return null;
      } catch (ExecutionException e) {
        return failedToFinish(prefix, name, e.getCause());
      } catch (TimeoutException e) {
        call.cancel(true);
        LOG.error("{} did not finish run {} within {}; gave up on it", prefix, runId, d.settings().deliveryTimeout());
        return prefix + " did not finish the run within its deliveryTimeout " + d.settings().deliveryTimeout()
            + "; gave up on it";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        call.cancel(true);
        return prefix + " could not finish the run: interrupted";
      }
    }

    private String failedToFinish(String prefix, String name, Throwable e) {
      LOG.error("pipeline '{}': destination '{}' could not finish run {}", pipeline.name(), name, runId, e);
      return prefix + " could not finish the run: " + e;
    }

    private RunProgress progress() {
      long delivered = 0;
      long deadLettered = 0;
      for (Dispatcher d : dispatchers) {
        if (d != null) {
          delivered += d.delivered();
          deadLettered += d.deadLettered();
        }
      }
      return new RunProgress(read, rejected, unmatched, routingErrors, delivered, deadLettered);
    }

    private RunReport report(RunStatus status, Instant finishedAt, String error, Checkpoint checkpoint) {
      Map<String, Long> rules = new LinkedHashMap<>();
      List<RoutingRule> ordered = router.rules();
      for (int i = 0; i < ordered.size(); i++) {
        rules.put(ordered.get(i).name(), ruleMatches[i]);
      }
      Map<String, RunReport.DestinationStats> stats = new LinkedHashMap<>();
      for (int i = 0; i < destinations.length; i++) {
        Dispatcher d = dispatchers[i];
        stats.put(destinationNames.get(i), d == null
            ? new RunReport.DestinationStats(0, 0, 0, 0, 0)
            : new RunReport.DestinationStats(d.delivered(), d.deadLettered(), d.batches(), d.retries(),
                d.undelivered()));
      }
      return RunReport.builder(runId, pipeline.name(), trigger, status, startedAt)
          .finishedAt(finishedAt)
          .counts(read, rejected, unmatched, routingErrors)
          .ruleMatches(rules)
          .destinations(stats)
          .checkpoint(checkpoint)
          .error(error)
          .resumedAfter(resumedAfter)
          .notes(List.copyOf(notes))
          .build();
    }

    private RunRecord toRecord(RunReport r) {
      return new RunRecord(r.runId(), r.pipeline(), r.trigger(), r.status(), r.startedAt(), r.finishedAt(),
          r.recordsRead(), r.delivered(), r.deadLettered() + r.recordsRejected(), r.toJson(),
          r.error().orElse(null), services.nodeId());
    }

    /**
     * What is counted once per run. Records read, matched, delivered and dead-lettered were counted
     * while the run went (see {@link #flushCounts()} and {@link Dispatcher}).
     */
    private void recordMetrics(RunReport r) {
      for (int i = 0; i < dispatchers.length; i++) {
        Dispatcher d = dispatchers[i];
        if (d != null && d.undelivered() > 0) {
          meters.delivery[i].undelivered.increment(d.undelivered());
        }
      }
      meters.runs(r.status()).record(r.duration());
    }

    /**
     * The run's single committer. {@link #request()} (from the router and the workers) never
     * blocks; the committer thread then commits the newest committable checkpoint. At the end of
     * the run, {@link #finish()} has it commit once more and stop; if it never got a thread, the run
     * thread takes its place, so there is still only ever one committing thread.
     */
    private final class Committer implements Runnable {
      private static final int NOT_STARTED = 0;
      private static final int RUNNING = 1;
      private static final int TAKEN_OVER = 2;
      private final AtomicInteger state = new AtomicInteger(NOT_STARTED);
      private final AtomicBoolean requested = new AtomicBoolean();
      private final CountDownLatch done = new CountDownLatch(1);
      private volatile Thread thread;
      private volatile boolean finishing;
      private volatile boolean stoppedEarly;
      private volatile RuntimeException lastFailure;

      void request() {
        if (!requested.getAndSet(true)) {
          Thread t = thread;
          if (t != null) {
            LockSupport.unpark(t);
          }
        }
      }

      @Override
      public void run() {
        if (!state.compareAndSet(NOT_STARTED, RUNNING)) {
          return; // the run ended before this thread came; it committed itself
        }
        thread = Thread.currentThread();
        try (RunMdc mdc = RunMdc.engine(pipeline.name(), runId)) {
          while (true) {
            boolean last = finishing;
            if (requested.getAndSet(false) || last) {
              commitQuietly();
            }
            if (last) {
              return;
            }
            if (Thread.interrupted()) {
              stoppedEarly = true; // the executor is shutting down: the run thread commits last
              return;
            }
            if (!requested.get() && !finishing) {
              LockSupport.park(this);
            }
          }
        } finally {
          done.countDown();
        }
      }

      private void commitQuietly() {
        try {
          commitNewest();
          lastFailure = null;
        } catch (RuntimeException e) {
          lastFailure = e;
          LOG.warn("pipeline '{}': run {}: committing a checkpoint failed; trying again with the next one: {}",
              pipeline.name(), runId, e.toString());
        }
      }

      /** The last commit, then stop; returns the run's error about it, or null. */
      String finish() {
        if (state.compareAndSet(NOT_STARTED, TAKEN_OVER)) {
          return commitOnThisThread();
        }
        finishing = true;
        Thread t = thread;
        if (t != null) {
          LockSupport.unpark(t);
        }
        long wait = Math.min(FINAL_COMMIT_WAIT.toNanos(), Math.max(0, abortDeadlineNanos - System.nanoTime()));
        try {
          if (!done.await(wait, TimeUnit.NANOSECONDS)) {
            LOG.error("pipeline '{}': run {}: the last checkpoint commit did not finish within {} ms; not waiting"
                + " for it any longer", pipeline.name(), runId, TimeUnit.NANOSECONDS.toMillis(wait));
            return "pipeline '" + pipeline.name() + "': committing the checkpoint did not finish within "
                + TimeUnit.NANOSECONDS.toMillis(wait) + " ms (is the store reachable?)";
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "pipeline '" + pipeline.name() + "': interrupted while committing the checkpoint";
        }
        if (stoppedEarly) {
          return commitOnThisThread(); // the committer thread is gone: this one is the only committer now
        }
        RuntimeException failed = lastFailure;
        return failed == null ? null : commitFailed(failed);
      }

      /** The last commit on the calling thread, once no committer thread runs; the error or null. */
      private String commitOnThisThread() {
        try {
          commitNewest();
          return null;
        } catch (RuntimeException e) {
          return commitFailed(e);
        }
      }

      private String commitFailed(RuntimeException e) {
        return "pipeline '" + pipeline.name() + "': committing the checkpoint failed: " + e;
      }
    }

    private final class QueueEmitter implements Emitter {
      @Override
      public void emit(Record record) throws InterruptedException {
        queue.put(Objects.requireNonNull(record, "record"), JsonSize.of(record.data()));
      }

      @Override
      public void checkpoint(Checkpoint checkpoint) throws InterruptedException {
        queue.put(new CheckpointItem(Objects.requireNonNull(checkpoint, "checkpoint")), 0);
      }

      @Override
      public void reject(String raw, String location, String reason) throws InterruptedException {
        String r = String.valueOf(raw);
        queue.put(new RejectItem(r, String.valueOf(location), String.valueOf(reason)), r.length());
      }
    }

    private final class Context implements ReadContext {
      private final JsonNode parameters;

      Context(JsonNode parameters) {
        this.parameters = parameters;
      }

      @Override
      public String pipeline() {
        return pipeline.name();
      }

      @Override
      public String runId() {
        return runId;
      }

      @Override
      public JsonNode parameters() {
        return parameters.deepCopy();
      }

      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public Logger logger() {
        return sourceLog;
      }

      @Override
      public boolean isCancelled() {
        // A webhook delivery is read whole even when the run is cancelled: it is in memory and was
        // answered 202; stopping half-way would lose the rest of it.
        return (control.isCancelled() && !Execution.this.parameters.deliveries())
            || Thread.currentThread().isInterrupted();
      }

      @Override
      public void note(String text) {
        if (text == null || text.isBlank()) {
          return;
        }
        int n = sourceNotes.incrementAndGet();
        if (n <= MAX_SOURCE_NOTES) {
          String line = text.strip();
          notes.add("source: " + (line.length() > 500 ? line.substring(0, 500) + "…" : line));
        } else if (n == MAX_SOURCE_NOTES + 1) {
          notes.add("source: further notes dropped (at most " + MAX_SOURCE_NOTES + " per run)");
        }
      }
    }
  }

  /** The error of a failed run, as recorded on its observation. */
  static final class RunFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunFailedException(String message) {
      super(message, null, false, false);
    }
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}
