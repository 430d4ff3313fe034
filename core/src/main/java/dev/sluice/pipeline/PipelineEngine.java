package dev.sluice.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.delivery.DeliveryAbortedException;
import dev.sluice.delivery.Dispatcher;
import dev.sluice.delivery.GuardedDestination;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.routing.Router;
import dev.sluice.routing.RuleResolver;
import dev.sluice.routing.RoutingException;
import dev.sluice.routing.RoutingRule;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import dev.sluice.spi.RunInfo;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.RunRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one pipeline: its connector, compiled rules and resolved destinations.
 *
 * <p>Data flow of a run: the connector reads on an executor thread into a bounded queue
 * (backpressure); the calling thread routes each record through the rules and offers the results
 * to one {@link Dispatcher} per destination, which batches, delivers, retries and dead-letters on
 * its own worker threads (as many as the destination's delivery concurrency). A checkpoint the
 * connector emitted is committed once every record before it is settled (acknowledged or
 * dead-lettered) at every destination, whatever order batches complete in, so a crash re-reads at
 * most the unsettled tail.
 *
 * <p>Shutdown goes through {@link #stop()} (no new runs; running ones stop reading and drain) and,
 * when the host's deadline passes, {@link #abort()} (stop delivering; what is left is counted as
 * undelivered and not checkpointed).
 *
 * <p>Thread-safe: concurrent runs share nothing but the connector, destinations (with their
 * circuit breakers and rate limits) and store.
 */
public final class PipelineEngine {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineEngine.class);
  private static final Duration READER_STOP_WAIT = Duration.ofSeconds(30);

  private final Pipeline pipeline;
  private final Connector connector;
  private final List<String> destinationNames;
  private final GuardedDestination[] destinations;
  private final Router router;
  private final EngineServices services;
  private final Logger sourceLog;
  private final Set<Execution> active = ConcurrentHashMap.newKeySet();
  private boolean stopped; // guarded by active

  /**
   * @param destinations every destination the pipeline names, resolved
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
    this.router = new Router(
        pipeline.rulesInPriorityOrder().stream().map(r -> r.bind(rules)).toList(), pipeline.otherwise(), index);
    this.sourceLog = LoggerFactory.getLogger("sluice.source." + pipeline.name());
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  /** The compiled rules, in evaluation order. */
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
   * @throws EngineStoppedException after {@link #stop()}
   */
  public RunReport run(String trigger, JsonNode parameters, RunControl control) {
    Execution execution = new Execution(
        trigger,
        parameters == null ? JsonNodeFactory.instance.objectNode() : parameters,
        control == null ? new RunControl() : control);
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
   * @return false when runs were still in progress at {@code deadlineNanos} ({@link System#nanoTime()})
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

  /** Runs in progress. */
  public int activeRuns() {
    synchronized (active) {
      return active.size();
    }
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
    private final JsonNode parameters;
    private final RunControl control;
    private final String runId;
    private final Clock clock;
    private final Instant startedAt;
    private final BlockingQueue<Object> queue;
    private final Dispatcher[] dispatchers;
    private final ArrayDeque<PendingCheckpoint> pendingCheckpoints = new ArrayDeque<>();
    private final long[] ruleMatches;
    private final Router.Scratch routing = new Router.Scratch(); // used by the routing thread only
    private final CountDownLatch readerDone = new CountDownLatch(1);
    /** Taken by the reader when it begins, or by stopReader to keep a reader that never began from beginning. */
    private final AtomicBoolean readerClaimed = new AtomicBoolean();

    private volatile long routedUpTo;
    private long seq;
    // Written by the routing thread only; volatile so progress() and checkpoint commits on other
    // threads see current values.
    private volatile long read;
    private volatile long rejected;
    private volatile long unmatched;
    private volatile long routingErrors;
    private Checkpoint committed;
    private volatile Future<?> reader;
    private boolean aborted; // guarded by dispatchers

    Execution(String trigger, JsonNode parameters, RunControl control) {
      this.trigger = Objects.requireNonNull(trigger, "trigger");
      this.parameters = parameters.deepCopy();
      this.control = control;
      this.runId = control.presetRunId() != null ? control.presetRunId() : services.runIds().get();
      this.clock = services.clock();
      this.startedAt = clock.instant();
      this.queue = new ArrayBlockingQueue<>(pipeline.queueCapacity());
      this.dispatchers = new Dispatcher[destinations.length];
      this.ruleMatches = new long[router.rules().size()];
    }

    RunReport execute() {
      String name = pipeline.name();
      LOG.info("pipeline '{}': run {} started (trigger: {})", name, runId, trigger);
      control.started(runId, this::progress);
      services.store().runs().save(RunRecord.started(runId, name, trigger, startedAt));
      List<Worker> workers = new ArrayList<>();
      String error = null;
      try {
        Checkpoint from = services.store().checkpoints().load(name).orElse(null);
        startDispatchers(workers);
        reader = services.executor().submit(() -> read(from));
        control.onCancel(this::stopReader);
        error = route();
      } catch (RuntimeException e) {
        error = "pipeline '" + name + "': " + e;
        LOG.error("pipeline '{}': run {} failed", name, runId, e);
      } finally {
        stopReader();
        awaitReader();
        for (Dispatcher d : dispatchers) {
          if (d != null) {
            d.close();
          }
        }
        error = firstNonNull(error, awaitWorkers(workers));
      }
      try {
        maybeCommit();
      } catch (RuntimeException e) {
        error = firstNonNull(error, "pipeline '" + name + "': committing the checkpoint failed: " + e);
      }
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
      RunReport report = report(status, clock.instant(), error);
      control.finished(progress());
      services.store().runs().save(toRecord(report));
      recordMetrics(report);
      if (status == RunStatus.FAILED) {
        LOG.warn("pipeline '{}': run {} failed after {} records: {}", name, runId, read, error);
      } else {
        LOG.info("pipeline '{}': run {} {}: {} read, {} delivered, {} dead-lettered", name, runId,
            status.name().toLowerCase(java.util.Locale.ROOT), read, report.delivered(), report.deadLettered());
      }
      return report;
    }

    private void startDispatchers(List<Worker> workers) {
      synchronized (dispatchers) {
        for (int i = 0; i < destinations.length; i++) {
          Dispatcher d = new Dispatcher(pipeline.name(), runId, destinations[i], services.store().deadLetters(),
              services.objectMapper(), this::maybeCommit);
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

    /** Stops reading and delivering; see {@link PipelineEngine#abort()}. */
    void abort() {
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
          for (Dispatcher d : dispatchers) {
            if (d.failure() != null) {
              return "pipeline '" + name + "': delivery to destination '" + d.destinationName()
                  + "' stopped: " + d.failure();
            }
          }
          if (control.isCancelled()) {
            return null;
          }
          Object item = queue.poll(50, TimeUnit.MILLISECONDS);
          if (item == null) {
            continue;
          }
          if (item instanceof Record) {
            String failure = routeRecord((Record) item);
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
        return null; // shutdown: the report counts what was left undelivered
      }
    }

    private String routeRecord(Record item) throws InterruptedException {
      Record record = item.stamped(pipeline.source().type(), clock.instant());
      seq++;
      read++;
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
      dispatchers[destination].offer(seq, record, original);
    }

    private void park(String destination, String key, ObjectNode record, ObjectNode original, String reason) {
      Instant now = clock.instant();
      services.store().deadLetters().add(
          new DeadLetter(0, pipeline.name(), destination, runId, key, record, original, reason, 0, now, now));
    }

    private synchronized void addCheckpoint(Checkpoint checkpoint) {
      PendingCheckpoint last = pendingCheckpoints.peekLast();
      if (last != null && last.seq() == seq) {
        pendingCheckpoints.pollLast(); // nothing between them: the newer one supersedes
      }
      pendingCheckpoints.addLast(new PendingCheckpoint(seq, checkpoint));
      maybeCommit();
    }

    /** Commits the newest checkpoint whose records are all settled. Called from any thread. */
    private synchronized void maybeCommit() {
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
      if (toCommit != null) {
        committed = toCommit.checkpoint();
        services.store().checkpoints().commit(
            pipeline.name(), committed, toRecord(report(RunStatus.RUNNING, null, null)));
      }
    }

    private void read(Checkpoint from) {
      if (!readerClaimed.compareAndSet(false, true)) {
        return; // the run was stopped before this task began; stopReader counted readerDone down
      }
      try {
        connector.read(new Context(), from, new QueueEmitter());
        queue.put(END);
      } catch (InterruptedException e) {
        // cancelled: the router no longer takes from the queue
        Thread.currentThread().interrupt();
      } catch (Throwable t) {
        if (!control.isCancelled()) {
          sourceLog.error("pipeline '{}': source failed in run {}", pipeline.name(), runId, t);
        }
        try {
          queue.put(new ReaderFailed(t));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      } finally {
        readerDone.countDown();
      }
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
      try {
        if (!readerDone.await(READER_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("pipeline '{}': source of run {} ignored the stop request for {} s; leaving it",
              pipeline.name(), runId, READER_STOP_WAIT.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private String awaitWorkers(List<Worker> workers) {
      String error = null;
      for (Worker w : workers) {
        try {
          w.future().get();
        } catch (ExecutionException e) {
          error = firstNonNull(error, "pipeline '" + pipeline.name() + "': delivery to destination '"
              + destinationNames.get(w.destination()) + "' failed: " + e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          error = firstNonNull(error, "pipeline '" + pipeline.name() + "': interrupted while delivering");
        }
      }
      for (Dispatcher d : dispatchers) {
        if (d != null && d.failure() != null) {
          error = firstNonNull(error, "pipeline '" + pipeline.name() + "': delivery to destination '"
              + d.destinationName() + "' stopped: " + d.failure());
        }
      }
      return error;
    }

    private String finishDestinations(boolean succeeded) {
      String error = null;
      RunInfo info = new RunInfo(pipeline.name(), runId, startedAt);
      for (int i = 0; i < destinations.length; i++) {
        try {
          destinations[i].destination().finishRun(info, succeeded);
        } catch (Exception e) {
          LOG.error("pipeline '{}': destination '{}' could not finish run {}", pipeline.name(),
              destinationNames.get(i), runId, e);
          error = firstNonNull(error, "pipeline '" + pipeline.name() + "': destination '"
              + destinationNames.get(i) + "' could not finish the run: " + e);
        }
      }
      return error;
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

    private RunReport report(RunStatus status, Instant finishedAt, String error) {
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
      return new RunReport(runId, pipeline.name(), trigger, status, startedAt, finishedAt, read, rejected,
          unmatched, routingErrors, rules, stats, committed, error);
    }

    private RunRecord toRecord(RunReport r) {
      return new RunRecord(r.runId(), r.pipeline(), r.trigger(), r.status(), r.startedAt(), r.finishedAt(),
          r.recordsRead(), r.delivered(), r.deadLettered() + r.recordsRejected(), r.toJson(),
          r.error().orElse(null));
    }

    private void recordMetrics(RunReport r) {
      var registry = services.meterRegistry();
      String name = pipeline.name();
      Counter.builder("sluice.records.read").tag("pipeline", name).register(registry).increment(r.recordsRead());
      r.destinations().forEach((dest, s) -> {
        Counter.builder("sluice.records.delivered").tag("pipeline", name).tag("destination", dest)
            .register(registry).increment(s.delivered());
        Counter.builder("sluice.records.dead_lettered").tag("pipeline", name).tag("destination", dest)
            .register(registry).increment(s.deadLettered());
      });
      Timer.builder("sluice.runs").tag("pipeline", name).tag("status", r.status().name().toLowerCase(java.util.Locale.ROOT))
          .register(registry).record(r.duration());
    }

    private final class QueueEmitter implements Emitter {
      @Override
      public void emit(Record record) throws InterruptedException {
        queue.put(Objects.requireNonNull(record, "record"));
      }

      @Override
      public void checkpoint(Checkpoint checkpoint) throws InterruptedException {
        queue.put(new CheckpointItem(Objects.requireNonNull(checkpoint, "checkpoint")));
      }

      @Override
      public void reject(String raw, String location, String reason) throws InterruptedException {
        queue.put(new RejectItem(String.valueOf(raw), String.valueOf(location), String.valueOf(reason)));
      }
    }

    private final class Context implements ReadContext {
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
        return control.isCancelled() || Thread.currentThread().isInterrupted();
      }
    }
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}
