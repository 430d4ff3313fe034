package dev.sluice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.delivery.DeadLetters;
import dev.sluice.delivery.DeliverySettings;
import dev.sluice.delivery.Sleeper;
import dev.sluice.internal.DaemonThreadFactory;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.internal.Json;
import dev.sluice.internal.JsonValues;
import dev.sluice.internal.engine.EngineServices;
import dev.sluice.internal.engine.GuardedDestination;
import dev.sluice.internal.engine.PipelineEngine;
import dev.sluice.internal.engine.StoreDeadLetters;
import dev.sluice.internal.schedule.DefaultRunHandle;
import dev.sluice.internal.schedule.Scheduler;
import dev.sluice.pipeline.DestinationDefinition;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.PipelineBuilder;
import dev.sluice.pipeline.PluginSpec;
import dev.sluice.pipeline.RunControl;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.UnmatchedPolicy;
import dev.sluice.record.Record;
import dev.sluice.routing.RecordTrace;
import dev.sluice.routing.RuleResolver;
import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.NodeLiveness;
import dev.sluice.schedule.PluginTrigger;
import dev.sluice.schedule.RunHandle;
import dev.sluice.schedule.Ticker;
import dev.sluice.schedule.WebhookHandler;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.PluginProvider;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.spi.Trigger;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice: its pipelines, ready to run, with their connectors, destinations and store.
 *
 * <pre>{@code
 * try (Sluice sluice = Sluice.builder()
 *     .destination("big", "file", Map.of("path", "out/big.jsonl"))
 *     .destination("all", "file", Map.of("path", "out/all.csv"))
 *     .pipeline("orders", p -> p
 *         .source("file", Map.of("path", "orders.jsonl"))
 *         .route(r -> r.when("$.amount > 1000").to("big"))
 *         .route(r -> r.to("all")))
 *     .build()) {
 *   RunReport report = sluice.run("orders");
 * }
 * }</pre>
 *
 * <p>Runs start three ways: {@link #run} on the caller's thread; {@link #trigger} in the background,
 * returning a {@link RunHandle}; and, after {@link #start()}, from the pipelines' cron, webhook and
 * plugin triggers. Triggered runs follow each pipeline's overlap policy.
 *
 * <p>Thread-safe: runs of different pipelines, and of the same pipeline, may proceed concurrently.
 * {@link #shutdown(Duration)} (and {@link #close()}) stops the triggers, lets the runs in progress
 * deliver what they read within a deadline, then closes the connectors and destinations (also those
 * the host handed in as instances) and the executor Sluice created itself; it leaves a store,
 * executor or meter registry the host passed in open.
 */
public final class Sluice implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Sluice.class);
  /**
   * After the deadline: how long aborted runs get to record their outcome before closing anyway
   * (they give up on what does not stop within {@link PipelineEngine#ABORT_GRACE}).
   */
  private static final Duration ABORT_GRACE = PipelineEngine.ABORT_GRACE.plusSeconds(5);
  /** Default heartbeat of a node: every 10 s, gone after 6 missed (one minute), as in a cluster. */
  private static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
  private static final int DEFAULT_MISSED_HEARTBEATS = 6;

  private final SluiceDefinition definition;
  private final ProviderRegistry registry;
  private final EngineServices services;
  private final Map<String, PipelineEngine> engines;
  private final List<AutoCloseable> owned;
  private final ExecutorService ownedExecutor;
  private final Scheduler scheduler;
  private final Duration shutdownTimeout;
  private final DeadLetters deadLetters;
  private final Map<String, GuardedDestination> destinations;
  private final NodeLiveness liveness;
  /** What plugins created through {@link #createPlugin} see as their secrets. */
  private final PluginSecrets pluginSecrets;
  /** Runs connection checks; at most 16 at once (each may hold a thread up to its timeout). */
  private final dev.sluice.internal.ConnectionChecks connectionChecks = new dev.sluice.internal.ConnectionChecks(16);
  private boolean shutDown; // guarded by this

  private Sluice(
      SluiceDefinition definition,
      ProviderRegistry registry,
      EngineServices services,
      Map<String, PipelineEngine> engines,
      List<AutoCloseable> owned,
      ExecutorService ownedExecutor,
      Scheduler scheduler,
      Duration shutdownTimeout,
      DeadLetters deadLetters,
      Map<String, GuardedDestination> destinations,
      NodeLiveness liveness,
      PluginSecrets pluginSecrets) {
    this.definition = definition;
    this.registry = registry;
    this.services = services;
    this.engines = engines;
    this.owned = owned;
    this.ownedExecutor = ownedExecutor;
    this.scheduler = scheduler;
    this.shutdownTimeout = shutdownTimeout;
    this.deadLetters = deadLetters;
    this.destinations = destinations;
    this.liveness = liveness;
    this.pluginSecrets = pluginSecrets;
  }

  /**
   * A builder for a Sluice instance.
   *
   * @return a new, empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs a pipeline now and waits for it; trigger {@code "api"}, no parameters.
   *
   * @param pipeline the pipeline's name
   * @return the run's report
   * @throws UnknownPipelineException when no pipeline has that name
   */
  public RunReport run(String pipeline) {
    return run(pipeline, "api", null, null);
  }

  /**
   * Runs a pipeline now, on the calling thread, and waits for it. Not subject to the overlap policy:
   * use {@link #trigger} for runs that must respect it.
   *
   * @param pipeline the pipeline's name
   * @param trigger what started the run, for the history (e.g. {@code "api"})
   * @param parameters handed to the connector, or null
   * @param control to cancel from another thread, or null
   * @return the run's report, once it ended
   * @throws UnknownPipelineException when no pipeline has that name
   */
  public RunReport run(String pipeline, String trigger, JsonNode parameters, RunControl control) {
    return engine(pipeline).run(trigger, parameters, control);
  }

  /**
   * Shows what the pipeline's rules would do with these records, without delivering anything:
   * every rule evaluated, matched or not, the value of each operand, the transformed output and
   * the destinations it would reach.
   *
   * @param pipeline the pipeline's name
   * @param records the records to try, as the connector would emit them
   * @return one trace per record, in order
   * @throws UnknownPipelineException when no pipeline has that name
   */
  public List<RecordTrace> preview(String pipeline, List<Record> records) {
    PipelineEngine engine = engine(pipeline);
    String source = engine.pipeline().source().type();
    List<RecordTrace> traces = new ArrayList<>(records.size());
    for (Record r : records) {
      traces.add(engine.router().trace(r.stamped(source, services.clock().instant())));
    }
    return traces;
  }

  /**
   * Requests a run in the background (trigger {@code "api"}), subject to the pipeline's overlap
   * policy, and returns at once. Works with or without {@link #start()}.
   *
   * @param pipeline the pipeline's name
   * @param parameters handed to the connector as its run parameters; null for none
   * @return a handle to follow or cancel the run
   * @throws UnknownPipelineException when no pipeline has that name
   * @throws IllegalStateException after {@link #close()}
   */
  public RunHandle trigger(String pipeline, JsonNode parameters) {
    return scheduler.submit(pipeline, "api", "api", parameters);
  }

  /**
   * {@link #trigger(String, JsonNode)} without parameters.
   *
   * @param pipeline the pipeline's name
   * @return a handle to follow or cancel the run
   * @throws UnknownPipelineException when no pipeline has that name
   * @throws IllegalStateException after {@link #close()}
   */
  public RunHandle trigger(String pipeline) {
    return trigger(pipeline, null);
  }

  /**
   * Starts the pipelines' triggers: arms cron schedules, starts plugin triggers and opens the
   * webhook endpoints of {@link #webhooks()}.
   *
   * @return this
   * @throws IllegalStateException when already started or closed
   */
  public Sluice start() {
    scheduler.start();
    return this;
  }

  /**
   * Whether {@link #start()} was called and {@link #close()} was not.
   *
   * @return whether the triggers run
   */
  public boolean isStarted() {
    return scheduler.isStarted();
  }

  /**
   * The webhook endpoints of every pipeline, to mount in the host's HTTP server. They answer 503
   * until {@link #start()}.
   *
   * @return the handler of every pipeline's webhook endpoints
   */
  public WebhookHandler webhooks() {
    return scheduler.webhooks();
  }

  /**
   * The pipeline names, in definition order.
   *
   * @return the names, never null
   */
  public Set<String> pipelineNames() {
    return engines.keySet();
  }

  /**
   * The destinations and pipelines this instance was built from.
   *
   * @return the definition, never null
   */
  public SluiceDefinition definition() {
    return definition;
  }

  /**
   * Where this instance keeps state: the builder's store, or the in-memory one it created.
   *
   * @return the store, never null
   */
  public Store store() {
    return services.store();
  }

  /**
   * Every plugin provider this instance knows.
   *
   * @return the registry
   */
  public ProviderRegistry plugins() {
    return registry;
  }

  /**
   * This node's id: the owner of the runs it starts, as the run history shows it.
   *
   * @return the node id
   */
  public String nodeId() {
    return services.nodeId();
  }

  /**
   * The run with this id while it runs or waits for its turn on this node (started by any trigger),
   * to follow its progress or cancel it; empty when it ended, never ran here, or is unknown.
   *
   * @param runId the run id, never null
   * @return the run's handle, or empty
   */
  public java.util.Optional<RunHandle> activeRun(String runId) {
    return scheduler.find(Objects.requireNonNull(runId, "runId"));
  }

  /**
   * Creates a plugin from this instance's providers, with its services (clock, meter registry,
   * JSON mapper, store, plugin secrets), the way the builder creates connectors and destinations:
   * for plugins a host wires itself, such as the REST server's authenticators ({@code
   * auth.authenticators} of a configuration file).
   *
   * @param <T> the plugin's interface, e.g. {@link dev.sluice.spi.Authenticator}
   * @param kind the kind of plugin, never null
   * @param type its type, e.g. {@code keycloak}
   * @param name a name for it, used in its log and meters
   * @param options its options, checked by its provider
   * @return the new plugin; the caller owns it (and closes it when it is closeable)
   * @throws dev.sluice.spi.UnknownPluginTypeException when no provider offers {@code type}
   * @throws dev.sluice.spi.PluginConfigException when the provider refuses the options
   */
  public <T> T createPlugin(
      dev.sluice.spi.PluginKind kind, String type, String name, com.fasterxml.jackson.databind.node.ObjectNode options) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    return Builder.create(registry, kind, dev.sluice.pipeline.PluginSpec.<T>of(type, options.deepCopy()), name,
        kind.label() + " '" + name + "' (type " + type + ")", services, pluginSecrets);
  }

  /**
   * The registry Sluice records its metrics in (the builder's, or the one it created).
   *
   * @return the registry
   */
  public MeterRegistry meterRegistry() {
    return services.meterRegistry();
  }

  /**
   * List, replay and purge dead letters.
   *
   * @return the dead-letter operations
   */
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /**
   * Checks that a destination can reach its remote side (its address, credentials, bucket ...)
   * without delivering anything, when its plugin implements {@link dev.sluice.spi.ConnectionCheck}.
   * The check runs on a thread of its own; one that overruns {@code timeout} by more than two
   * seconds is interrupted and reported as failed; at most 16 checks run at once (one more fails at
   * once, saying so). What the plugin throws becomes a failed result
   * naming the exception; secrets in the message (URL user info, secret query parameters, the values
   * of the destination's secret-looking options) are masked.
   *
   * @param name the destination's name, never null
   * @param timeout how long the check may take, positive
   * @return the result: ok, failed, or unsupported when the plugin offers no check; never null
   * @throws UnknownDestinationException when no destination has that name
   * @throws IllegalArgumentException when {@code timeout} is not positive
   * @throws InterruptedException when interrupted while waiting for the check
   */
  public dev.sluice.spi.ConnectionCheckResult checkDestination(String name, Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(name, "name");
    GuardedDestination guarded = destinations.get(name);
    if (guarded == null) {
      throw new UnknownDestinationException(name, destinations.keySet());
    }
    DestinationDefinition d = definition.destinations().get(name);
    return connectionChecks.run(
        "destination '" + name + "' (type " + d.spec().type() + ")", guarded.destination(), d.spec().options(), timeout);
  }

  /**
   * Checks that a pipeline's source can reach its remote side without reading records, when its
   * connector implements {@link dev.sluice.spi.ConnectionCheck}; otherwise as {@link
   * #checkDestination}.
   *
   * @param pipeline the pipeline's name, never null
   * @param timeout how long the check may take, positive
   * @return the result: ok, failed, or unsupported when the connector offers no check; never null
   * @throws UnknownPipelineException when no pipeline has that name
   * @throws IllegalArgumentException when {@code timeout} is not positive
   * @throws InterruptedException when interrupted while waiting for the check
   */
  public dev.sluice.spi.ConnectionCheckResult checkSource(String pipeline, Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(pipeline, "pipeline");
    PipelineEngine engine = engine(pipeline);
    PluginSpec<?> source = engine.pipeline().source();
    return connectionChecks.run(
        "pipeline '" + pipeline + "' source (type " + source.type() + ")", engine.connector(), source.options(), timeout);
  }

  private PipelineEngine engine(String pipeline) {
    PipelineEngine engine = engines.get(pipeline);
    if (engine == null) {
      throw new UnknownPipelineException(pipeline, engines.keySet());
    }
    return engine;
  }

  /** Shuts down with the builder's {@code shutdownTimeout} (default 30 s) as the deadline. */
  @Override
  public void close() {
    shutdown(shutdownTimeout);
  }

  /**
   * Shuts down gracefully:
   *
   * <ol>
   *   <li>stops the triggers (cron, webhooks, plugins) and cancels queued runs; new {@code run}
   *       calls throw {@link dev.sluice.pipeline.EngineStoppedException}, new {@code trigger} calls
   *       {@link IllegalStateException};
   *   <li>runs in progress stop reading and deliver what they read, with retries, until {@code
   *       deadline}; they end {@code CANCELLED};
   *   <li>when the deadline passes, runs still delivering stop: deliveries and retry waits in
   *       progress are interrupted, and what was not delivered stays unacknowledged and
   *       un-checkpointed, so the next run reads it again; those runs end {@code FAILED}, their
   *       reports count the undelivered records;
   *   <li>closes connectors, destinations and the executor Sluice created; a destination only once
   *       no call into it is in progress, or (after the grace period) with a log line naming the
   *       calls it gives up on;
   *   <li>stops the node's heartbeat and removes it from the store.
   * </ol>
   *
   * <p>Later calls return at once.
   *
   * @param deadline how long runs in progress may go on delivering, never null
   * @return true when every run finished within the deadline
   */
  public boolean shutdown(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    synchronized (this) {
      if (shutDown) {
        return true;
      }
      shutDown = true;
    }
    List<DefaultRunHandle> triggered = scheduler.beginClose();
    engines.values().forEach(PipelineEngine::stop);
    boolean drained = awaitIdle(deadline, triggered);
    if (!drained) {
      LOG.warn("shutdown: runs still delivering after {}; stopping them, what they did not deliver is read again next time",
          deadline);
      engines.values().forEach(PipelineEngine::abort);
      if (!awaitIdle(ABORT_GRACE, triggered)) {
        engines.forEach((name, engine) -> {
          if (engine.activeRuns() > 0) {
            LOG.error("shutdown: {} run(s) of pipeline '{}' did not stop within {} (a destination or source "
                + "ignores interrupts); closing anyway", engine.activeRuns(), name, ABORT_GRACE);
          }
        });
      }
    }
    scheduler.finishClose();
    awaitDestinationCalls(drained ? Duration.ofSeconds(5) : ABORT_GRACE);
    closeAll(owned);
    engines.values().forEach(PipelineEngine::removeGauges);
    destinations.values().forEach(GuardedDestination::removeMetrics);
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
    }
    liveness.close();
    return drained;
  }

  /**
   * Waits until no call into any destination is in progress (runs that ended may have given up on
   * a call that ignored its interrupt); names the destinations it stops waiting for.
   */
  private void awaitDestinationCalls(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    destinations.forEach((name, d) -> {
      try {
        if (!d.awaitNoCalls(deadline)) {
          LOG.error("shutdown: destination '{}' still has {} call(s) in progress in thread(s) that ignored their"
              + " interrupt; giving up on them and closing it", name, d.callsInProgress());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Waits for every run to end here, triggered runs' handles included. */
  private boolean awaitIdle(Duration timeout, List<DefaultRunHandle> triggered) {
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    try {
      for (PipelineEngine engine : engines.values()) {
        if (!engine.awaitIdle(deadlineNanos)) {
          return false;
        }
      }
      return scheduler.awaitStoppedHere(triggered, deadlineNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", closeables.get(i), e);
      }
    }
  }

  /**
   * Builds a {@link Sluice}. Each setter checks its value; {@link #build()} checks the whole (every
   * route leads to a defined destination, every plugin type exists) and reports all problems at
   * once.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, DestinationDefinition> destinations = new LinkedHashMap<>();
    private final Map<String, Pipeline> pipelines = new LinkedHashMap<>();
    private final List<PluginProvider<?>> providers = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ExecutorService executor;
    private MeterRegistry meterRegistry;
    private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;
    private Store store;
    private ClassLoader classLoader;
    private final List<java.nio.file.Path> pluginPaths = new ArrayList<>();
    private ProviderRegistry registry;
    private ObjectMapper objectMapper;
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Supplier<String> runIds = () -> UUID.randomUUID().toString();
    private Ticker ticker;
    private RandomGenerator random;
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private ClusterCoordinator cluster;
    private String nodeId;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT;
    private int missedHeartbeats = DEFAULT_MISSED_HEARTBEATS;
    private PluginSecrets secrets = PluginSecrets.UNAVAILABLE;

    private Builder() {}

    /**
     * The one source of time (default: system UTC).
     *
     * @param value the clock, never null
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * What cron triggers wait on (default: {@link Ticker#system(Clock)} on the builder's clock).
     * Also sets the clock to the ticker's, so that everything keeps one time; tests pass a ticker
     * whose clock they advance by hand.
     *
     * @param value the ticker, never null
     * @return this builder
     */
    public Builder ticker(Ticker value) {
      this.ticker = Objects.requireNonNull(value, "ticker");
      this.clock = value.clock();
      return this;
    }

    /**
     * The source of cron jitter (default: a new {@link Random}); tests pass a seeded one.
     *
     * @param value the generator, never null
     * @return this builder
     */
    public Builder random(RandomGenerator value) {
      this.random = Objects.requireNonNull(value, "random");
      return this;
    }

    /**
     * Runs this Sluice as one node of a cluster that shares a database (e.g. the {@code sluice-jdbc}
     * module's db-scheduler coordinator): each cron time fires on one node, and runs asked for
     * through {@link Sluice#trigger}, webhooks and plugin triggers are queued for whichever node
     * claims them. Every node must define the same pipelines. Sluice starts the coordinator on
     * {@link Sluice#start()} and closes it on {@link Sluice#close()}. Default: none, everything
     * runs here.
     *
     * @param value the coordinator, never null
     * @return this builder
     */
    public Builder cluster(ClusterCoordinator value) {
      this.cluster = Objects.requireNonNull(value, "cluster");
      return this;
    }

    /**
     * This node's id, as the owner of its runs in the run history (default: the cluster
     * coordinator's node name, else {@code sluice-<pid>-<random>}). Must differ between Sluice
     * instances sharing a store.
     *
     * @param value 1-200 characters, not blank
     * @return this builder
     * @throws IllegalArgumentException when it is null, blank or longer than 200 characters
     */
    public Builder nodeId(String value) {
      if (value == null || value.isBlank() || value.length() > 200) {
        throw new IllegalArgumentException("nodeId must be 1 to 200 characters, got '" + value + "'");
      }
      this.nodeId = value;
      return this;
    }

    /**
     * How often this node records its heartbeat in the store (default 10 s), and after how many
     * missed heartbeats (default 6) another node on the same store ends its unfinished runs as
     * {@code INTERRUPTED}. Every node sharing a store should use the same values.
     *
     * @param interval positive
     * @param missed at least 1
     * @return this builder
     * @throws IllegalArgumentException when either is out of range
     */
    public Builder heartbeat(Duration interval, int missed) {
      if (interval == null || interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("heartbeat interval must be positive, got " + interval);
      }
      if (missed < 1) {
        throw new IllegalArgumentException("missed heartbeats must be >= 1, got " + missed);
      }
      this.heartbeatInterval = interval;
      this.missedHeartbeats = missed;
      return this;
    }

    /**
     * How long {@link Sluice#close()} waits for running runs to stop (default 30 s).
     *
     * @param value zero or more
     * @return this builder
     * @throws IllegalArgumentException when it is null or negative
     */
    public Builder shutdownTimeout(Duration value) {
      if (value == null || value.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout must be >= 0, got " + value);
      }
      this.shutdownTimeout = value;
      return this;
    }

    /**
     * Threads for readers and delivery workers (default: a cached pool of daemon threads, shut down
     * on close). A run needs 3 + the sum of its destinations' delivery concurrency threads at once (reader, committer, workers; plus the calling thread).
     *
     * @param value the executor, never null
     * @return this builder
     */
    public Builder executor(ExecutorService value) {
      this.executor = Objects.requireNonNull(value, "executor");
      return this;
    }

    /**
     * Where metrics go (default: a simple in-memory registry).
     *
     * @param value the registry, never null
     * @return this builder
     */
    public Builder meterRegistry(MeterRegistry value) {
      this.meterRegistry = Objects.requireNonNull(value, "meterRegistry");
      return this;
    }

    /**
     * Where spans go: Sluice observes each run ({@code sluice.run}), each connector read ({@code
     * sluice.read}), each delivery batch ({@code sluice.deliver}) and each retry ({@code
     * sluice.deliver.retry}); see {@code docs/user-guide/observability-metrics.md}. Default: {@link
     * ObservationRegistry#NOOP}, nothing is observed.
     *
     * @param value the registry, never null
     * @return this builder
     */
    public Builder observationRegistry(ObservationRegistry value) {
      this.observationRegistry = Objects.requireNonNull(value, "observationRegistry");
      return this;
    }

    /**
     * Where state goes (default: {@link InMemoryStore}, lost with the process).
     *
     * @param value the store, never null
     * @return this builder
     */
    public Builder store(Store value) {
      this.store = Objects.requireNonNull(value, "store");
      return this;
    }

    /**
     * The secrets plugins may read and write at run time through {@link
     * dev.sluice.spi.PluginContext#secrets()}, e.g. {@code dev.sluice.auth.Secrets} opened on the
     * store (default: {@link PluginSecrets#UNAVAILABLE}).
     *
     * @param value the secrets, never null
     * @return this builder
     */
    public Builder secrets(PluginSecrets value) {
      this.secrets = Objects.requireNonNull(value, "secrets");
      return this;
    }

    /**
     * Where plugins are discovered (default: the thread's context class loader).
     *
     * @param value the class loader, never null
     * @return this builder
     */
    public Builder classLoader(ClassLoader value) {
      this.classLoader = Objects.requireNonNull(value, "classLoader");
      return this;
    }

    /**
     * Adds a plugin path: a folder in which every {@code *.jar} is one plugin and every sub-folder
     * is one plugin made of all the jars under it (or a single plugin jar). Each plugin gets its
     * own child-first class loader whose parent is {@link #classLoader}: it keeps its own
     * dependencies, and takes Sluice, Jackson, SLF4J, Micrometer and the JDK from the host. A
     * plugin that fails to load is logged and skipped (see {@link ProviderRegistry#installed()}).
     * May be called several times. Excludes {@link #registry}.
     *
     * @param value a folder of plugins, or a plugin jar; never null
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is neither a folder nor a file
     */
    public Builder pluginPath(java.nio.file.Path value) {
      Objects.requireNonNull(value, "pluginPath");
      if (!java.nio.file.Files.isDirectory(value) && !java.nio.file.Files.isRegularFile(value)) {
        throw new IllegalArgumentException("pluginPath " + value + " is neither a folder of plugins nor a jar");
      }
      pluginPaths.add(value);
      return this;
    }

    /**
     * Uses these providers instead of discovering them (e.g. the registry a configuration was
     * validated against, which may include a plugins directory). Excludes {@link #classLoader},
     * {@link #pluginPath} and
     * {@link #provider}.
     *
     * @param value the registry, never null
     * @return this builder
     */
    public Builder registry(ProviderRegistry value) {
      this.registry = Objects.requireNonNull(value, "registry");
      return this;
    }

    /**
     * The Jackson mapper Sluice and its plugins use for JSON (default: a new one configured by
     *     Sluice).
     *
     * @param value the mapper, never null
     * @return this builder
     */
    public Builder objectMapper(ObjectMapper value) {
      this.objectMapper = Objects.requireNonNull(value, "objectMapper");
      return this;
    }

    /**
     * How delivery retries wait (default: {@link Sleeper#SYSTEM}); tests inject a fake.
     *
     * @param value the sleeper, never null
     * @return this builder
     */
    public Builder sleeper(Sleeper value) {
      this.sleeper = Objects.requireNonNull(value, "sleeper");
      return this;
    }

    /**
     * How run ids are made (default: random UUIDs).
     *
     * @param value makes a new, unique id per call; never null
     * @return this builder
     */
    public Builder runIds(Supplier<String> value) {
      this.runIds = Objects.requireNonNull(value, "runIds");
      return this;
    }

    /**
     * Registers a plugin provider in addition to those discovered.
     *
     * @param value the provider, never null
     * @return this builder
     * @throws IllegalArgumentException when it is of no known plugin kind
     */
    public Builder provider(PluginProvider<?> value) {
      PluginKind.of(Objects.requireNonNull(value, "provider"));
      providers.add(value);
      return this;
    }

    /**
     * A destination the host created; Sluice closes it on close.
     *
     * @param name the destination's name, unique
     * @param destination the destination, never null
     * @return this builder
     * @throws IllegalArgumentException when the name is defined already
     */
    public Builder destination(String name, Destination destination) {
      return destination(name, destination, d -> {});
    }

    /**
     * A destination the host created, with delivery settings; Sluice closes it on close.
     *
     * @param name the destination's name, unique
     * @param destination the destination, never null
     * @param delivery sets the delivery settings on a builder of the defaults
     * @return this builder
     * @throws IllegalArgumentException when the name is defined already
     */
    public Builder destination(String name, Destination destination, Consumer<DeliverySettings.Builder> delivery) {
      DeliverySettings.Builder b = DeliverySettings.builder();
      delivery.accept(b);
      return destination(new DestinationDefinition(name, PluginSpec.instance(destination), b.build()));
    }

    /**
     * A destination of {@code type} (e.g. {@code "file"}) with these options.
     *
     * @param name the destination's name, unique
     * @param type the plugin type
     * @param options the plugin's options, as in a configuration file
     * @return this builder
     * @throws IllegalArgumentException when the name is defined already
     */
    public Builder destination(String name, String type, Map<String, ?> options) {
      return destination(name, type, options, d -> {});
    }

    /**
     * A destination of {@code type} with these options and delivery settings.
     *
     * @param name the destination's name, unique
     * @param type the plugin type
     * @param options the plugin's options, as in a configuration file
     * @param delivery sets the delivery settings on a builder of the defaults
     * @return this builder
     * @throws IllegalArgumentException when the name is defined already
     */
    public Builder destination(
        String name, String type, Map<String, ?> options, Consumer<DeliverySettings.Builder> delivery) {
      DeliverySettings.Builder b = DeliverySettings.builder();
      delivery.accept(b);
      return destination(new DestinationDefinition(
          name, PluginSpec.of(type, (ObjectNode) JsonValues.toNode(options)), b.build()));
    }

    /**
     * A destination by its definition.
     *
     * @param value the definition, never null
     * @return this builder
     * @throws IllegalArgumentException when its name is defined already
     */
    public Builder destination(DestinationDefinition value) {
      if (destinations.putIfAbsent(value.name(), value) != null) {
        throw new IllegalArgumentException("destination '" + value.name() + "' is defined twice");
      }
      return this;
    }

    /**
     * A pipeline, configured by {@code pipeline}.
     *
     * @param name the pipeline's name, unique
     * @param pipeline configures a new pipeline builder
     * @return this builder
     * @throws IllegalArgumentException when the name is defined already
     */
    public Builder pipeline(String name, Consumer<PipelineBuilder> pipeline) {
      PipelineBuilder b = Pipeline.builder(name);
      pipeline.accept(b);
      return pipeline(b.build());
    }

    /**
     * A pipeline.
     *
     * @param value the pipeline, never null
     * @return this builder
     * @throws IllegalArgumentException when its name is defined already
     */
    public Builder pipeline(Pipeline value) {
      if (pipelines.putIfAbsent(value.name(), value) != null) {
        throw new IllegalArgumentException("pipeline '" + value.name() + "' is defined twice");
      }
      return this;
    }

    /**
     * Adds every destination and pipeline of {@code value}.
     *
     * @param value the definition, never null
     * @return this builder
     * @throws IllegalArgumentException when a destination or pipeline name is defined already
     */
    public Builder definition(SluiceDefinition value) {
      value.destinations().values().forEach(this::destination);
      value.pipelines().values().forEach(this::pipeline);
      return this;
    }

    /**
     * The definition so far, without building anything.
     *
     * @return the destinations and pipelines added so far
     */
    public SluiceDefinition toDefinition() {
      return new SluiceDefinition(destinations, pipelines);
    }

    /**
     * Resolves plugins, creates connectors and destinations, compiles rules.
     *
     * @return the new instance; its triggers wait for {@link Sluice#start()}
     * @throws InvalidDefinitionException listing every problem found
     * @throws IllegalStateException when {@link #registry} is combined with {@link #classLoader},
     *     {@link #pluginPath} or {@link #provider}
     */
    public Sluice build() {
      SluiceDefinition definition = toDefinition();
      List<String> problems = new ArrayList<>(definition.problems());
      if (this.registry != null && (classLoader != null || !providers.isEmpty() || !pluginPaths.isEmpty())) {
        throw new IllegalStateException(
            "registry(...) replaces discovery: don't also set classLoader(...), pluginPath(...) or provider(...)");
      }
      ClassLoader loader = classLoader != null ? classLoader : Thread.currentThread().getContextClassLoader();
      ProviderRegistry registry = this.registry != null
          ? this.registry
          : ProviderRegistry.discover(loader, providers, pluginPaths);
      for (DestinationDefinition d : definition.destinations().values()) {
        checkType(registry, PluginKind.DESTINATION, d.spec(), "destination '" + d.name() + "'", problems);
      }
      for (Pipeline p : definition.pipelines().values()) {
        checkType(registry, PluginKind.CONNECTOR, p.source(), "pipeline '" + p.name() + "' source", problems);
        p.triggers().forEach(t -> {
          if (t instanceof PluginTrigger pt) {
            checkType(registry, PluginKind.TRIGGER, pt.spec(), "pipeline '" + p.name() + "' trigger", problems);
          }
        });
      }
      if (ticker != null && !ticker.clock().equals(clock)) {
        problems.add("the ticker keeps time by " + ticker.clock() + " but the clock is " + clock
            + "; set the clock before the ticker, or only the ticker");
      }
      if (!problems.isEmpty()) {
        throw new InvalidDefinitionException(problems);
      }

      ExecutorService ownedExecutor = executor == null
          ? Executors.newCachedThreadPool(new DaemonThreadFactory("sluice")) : null;
      String node = nodeId != null ? nodeId
          : cluster != null && cluster.nodeName().isPresent() ? cluster.nodeName().get()
          : "sluice-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
      EngineServices services = new EngineServices(
          store != null ? store : new InMemoryStore(clock),
          clock,
          executor != null ? executor : ownedExecutor,
          meterRegistry != null ? meterRegistry : new SimpleMeterRegistry(),
          objectMapper != null ? objectMapper : Json.newMapper(),
          sleeper,
          runIds,
          node,
          observationRegistry);
      List<AutoCloseable> owned = new ArrayList<>();
      List<Trigger> triggers = new ArrayList<>();
      NodeLiveness liveness = new NodeLiveness(node, services.store().runs(), clock, heartbeatInterval,
          missedHeartbeats);
      try {
        Map<String, GuardedDestination> resolved = new LinkedHashMap<>();
        for (DestinationDefinition d : definition.destinations().values()) {
          Destination instance = create(registry, PluginKind.DESTINATION, d.spec(), d.name(),
              "destination '" + d.name() + "' (type " + d.spec().type() + ")", services, secrets);
          owned.add(instance);
          GuardedDestination guarded =
              new GuardedDestination(d.name(), instance, d.delivery(), services.clock(), services.sleeper());
          guarded.registerMetrics(services.meterRegistry());
          resolved.put(d.name(), guarded);
        }
        Map<String, PipelineEngine> engines = new LinkedHashMap<>();
        for (Pipeline p : definition.pipelines().values()) {
          Connector connector = create(registry, PluginKind.CONNECTOR, p.source(), p.name(),
              "pipeline '" + p.name() + "' source (type " + p.source().type() + ")", services, secrets);
          owned.add(connector);
          Map<String, GuardedDestination> used = new LinkedHashMap<>();
          p.destinations().forEach(name -> used.put(name, resolved.get(name)));
          RuleResolver rules = (type, options) -> create(registry, PluginKind.RULE, PluginSpec.of(type, options),
              p.name(), "pipeline '" + p.name() + "' custom rule (type " + type + ")", services, secrets);
          engines.put(p.name(), new PipelineEngine(p, connector, used, services, rules));
        }
        Map<String, List<Trigger>> pluginTriggers = new LinkedHashMap<>();
        for (Pipeline p : definition.pipelines().values()) {
          for (var t : p.triggers()) {
            if (t instanceof PluginTrigger pt) {
              Trigger instance = create(registry, PluginKind.TRIGGER, pt.spec(), p.name(),
                  "pipeline '" + p.name() + "' trigger (type " + pt.spec().type() + ")", services, secrets);
              triggers.add(instance);
              pluginTriggers.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(instance);
            }
          }
        }
        Scheduler scheduler = new Scheduler(engines, pluginTriggers, services,
            ticker != null ? ticker : Ticker.system(clock), ticker == null,
            random != null ? random : new Random(), shutdownTimeout, cluster);
        Map<String, StoreDeadLetters.PipelineRules> rules = new LinkedHashMap<>();
        engines.forEach((name, engine) -> rules.put(name, new StoreDeadLetters.PipelineRules(
            engine.router(), engine.pipeline().unmatched() == UnmatchedPolicy.DEAD_LETTER)));
        DeadLetters deadLetters = new StoreDeadLetters(
            services.store().deadLetters(), resolved, rules, services.runIds(), services.clock());
        liveness.start();
        return new Sluice(definition, registry, services, Collections.unmodifiableMap(engines),
            List.copyOf(owned), ownedExecutor, scheduler, shutdownTimeout, deadLetters,
            Collections.unmodifiableMap(resolved), liveness, secrets);
      } catch (RuntimeException e) {
        liveness.close();
        closeAll(new ArrayList<>(triggers));
        closeAll(owned);
        if (ownedExecutor != null) {
          ownedExecutor.shutdownNow();
          try {
            ownedExecutor.awaitTermination(1, TimeUnit.SECONDS);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
        }
        throw e;
      }
    }

    private static void checkType(
        ProviderRegistry registry, PluginKind kind, PluginSpec<?> spec, String owner, List<String> problems) {
      if (!spec.isInstance() && registry.find(kind, spec.type()).isEmpty()) {
        List<String> known = new ArrayList<>();
        registry.of(kind).forEach(i -> known.add(i.type()));
        problems.add(owner + ": no " + kind.label() + " of type '" + spec.type() + "' (known: "
            + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
      }
    }

    private static <T> T create(
        ProviderRegistry registry, PluginKind kind, PluginSpec<T> spec, String name, String owner,
        EngineServices services, PluginSecrets secrets) {
      if (spec.isInstance()) {
        return spec.instance().orElseThrow();
      }
      PluginProvider<T> provider = registry.require(kind, spec.type(), owner);
      DefaultPluginContext context = new DefaultPluginContext(
          name, kind, services.clock(), services.meterRegistry(), services.objectMapper(), services.store(), secrets);
      // A plugin's libraries may look things up through the context class loader (ServiceLoader,
      // Jackson modules): during create() it is the plugin's own.
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(provider.getClass().getClassLoader());
      try {
        return Objects.requireNonNull(
            provider.create(new PluginConfig(owner, spec.options()), context),
            () -> provider.getClass().getName() + " returned null for " + owner);
      } finally {
        thread.setContextClassLoader(previous);
      }
    }
  }
}
