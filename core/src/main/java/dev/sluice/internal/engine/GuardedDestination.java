package dev.sluice.internal.engine;

import dev.sluice.delivery.DeliverySettings;
import dev.sluice.delivery.Sleeper;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A destination together with its {@link DeliverySettings} and guards: delivers the records of one
 * batch with retries (exponential backoff, full jitter, {@code Retry-After}, max attempts, max
 * elapsed time), through the destination's circuit breaker and rate limit, and reports per record
 * whether it was delivered, failed for good, or was abandoned because delivery was stopping.
 *
 * <p>Circuit breaker and rate limiter are Resilience4j's ({@code CircuitBreaker} with a count-based
 * window where every call must fail to open it, i.e. N consecutive failures; {@code RateLimiter}),
 * driven by the injected {@link Clock}. The retry loop is Sluice's own, because it retries only the
 * records that failed, parks the rest, waits through the injected {@link Sleeper}, and must not
 * count time spent waiting for an open breaker as attempts.
 *
 * <p>A permit taken from the breaker is always given back or spent: a wait for the rate limit that
 * is interrupted after the breaker let the call through releases it, so an interrupted caller can't
 * leave the breaker half open with its only probe permit gone. And a half-open breaker whose probe
 * has not reported within {@link DeliverySettings#circuitBreakerProbeTimeout()} opens again, so a
 * probe whose thread hangs (and is abandoned) can't either.
 *
 * <p>It counts the calls into the destination in progress ({@link #awaitNoCalls}), so that Sluice
 * closes a destination only after its calls returned or were given up on.
 *
 * <p>One instance per destination and Sluice instance: the engine's dispatchers (every run and
 * pipeline) and dead-letter replays share it, so they share the breaker and the rate limit.
 * Thread-safe. Not API: hosts configure it through {@link DeliverySettings}.
 */
public final class GuardedDestination {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedDestination.class);
  /** How long a caller waits, at most, before looking again at a breaker whose probe is out. */
  private static final long PROBE_POLL_MILLIS = 50;

  /** State of a destination's circuit breaker. */
  public enum CircuitState {
    /** Deliveries go through. */
    CLOSED,
    /** Deliveries wait until the open period ends. */
    OPEN,
    /** One probe delivery is (or may be) in flight; its outcome closes or re-opens the breaker. */
    HALF_OPEN,
    /** The destination has no circuit breaker. */
    DISABLED
  }

  private final String name;
  private final Destination destination;
  private final DeliverySettings settings;
  private final Clock clock;
  private final Sleeper sleeper;
  private final LongUnaryOperator uniform;
  private final CircuitBreaker breaker;
  private final RateLimiter limiter;
  private final Object breakerMonitor = new Object();
  private volatile Instant openUntil = Instant.MIN;
  /** When the breaker last went half open, by the clock. */
  private volatile Instant halfOpenSince = Instant.MAX;
  private volatile Gauge circuitGauge;
  private volatile MeterRegistry gaugeRegistry;
  /** Calls into the destination in progress; guarded by itself. */
  private final int[] calls = new int[1];

  /**
   * @param name the destination's name
   * @param destination the plugin instance
   * @param settings how to deliver to it
   * @param clock time for backoff budgets, the breaker and the rate limiter
   * @param sleeper how waits happen
   */
  public GuardedDestination(
      String name, Destination destination, DeliverySettings settings, Clock clock, Sleeper sleeper) {
    this(name, destination, settings, clock, sleeper, bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  /** @param uniform given a bound {@code b > 0}, a random number in [0, b) (for tests) */
  GuardedDestination(
      String name,
      Destination destination,
      DeliverySettings settings,
      Clock clock,
      Sleeper sleeper,
      LongUnaryOperator uniform) {
    this.name = Objects.requireNonNull(name, "name");
    this.destination = Objects.requireNonNull(destination, "destination");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.uniform = Objects.requireNonNull(uniform, "uniform");
    this.breaker = settings.hasCircuitBreaker() ? newBreaker() : null;
    this.limiter = settings.hasRateLimit() ? newLimiter() : null;
  }

  private CircuitBreaker newBreaker() {
    int n = settings.circuitBreakerFailures();
    CircuitBreaker cb = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
        // N calls in the window, all of them failed: N consecutive failures.
        .slidingWindow(n, n, SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(100)
        .slowCallRateThreshold(100)
        .slowCallDurationThreshold(Duration.ofDays(365)) // slowness is the destination's timeout's job
        .waitDurationInOpenState(settings.circuitBreakerOpenDuration())
        .permittedNumberOfCallsInHalfOpenState(1)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .recordException(t -> true)
        .writableStackTraceEnabled(false)
        .clock(clock)
        .build());
    cb.getEventPublisher().onStateTransition(e -> {
      CircuitBreaker.State to = e.getStateTransition().getToState();
      if (to == CircuitBreaker.State.OPEN) {
        // Resilience4j computed its own end of the open period just before; ours is not earlier.
        openUntil = clock.instant().plus(settings.circuitBreakerOpenDuration());
        LOG.warn("destination '{}': circuit breaker opened after {} consecutive failed attempt(s); deliveries wait {} before a probe",
            name, n, settings.circuitBreakerOpenDuration());
      } else {
        if (to == CircuitBreaker.State.HALF_OPEN) {
          halfOpenSince = clock.instant();
        }
        LOG.info("destination '{}': circuit breaker {}", name,
            to == CircuitBreaker.State.HALF_OPEN ? "half open, probing" : "closed: the destination answers again");
      }
      synchronized (breakerMonitor) {
        breakerMonitor.notifyAll();
      }
    });
    return cb;
  }

  private RateLimiter newLimiter() {
    Instant start = clock.instant();
    return RateLimiter.of(name, RateLimiterConfig.custom()
            .limitForPeriod(settings.rateLimitPermits())
            .limitRefreshPeriod(settings.rateLimitPeriod())
            // Longer waits than this would outlast every batch's budget anyway.
            .timeoutDuration(settings.maxElapsedTime())
            .writableStackTraceEnabled(false)
            .build(),
        () -> Duration.between(start, clock.instant()).toNanos());
  }

  /**
   * The destination's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The destination guarded.
   *
   * @return the destination
   */
  public Destination destination() {
    return destination;
  }

  /**
   * The destination's delivery settings.
   *
   * @return the settings
   */
  public DeliverySettings settings() {
    return settings;
  }

  /**
   * The circuit breaker's state now.
   *
   * @return the state; {@link CircuitState#DISABLED} without a breaker
   */
  public CircuitState circuitState() {
    if (breaker == null) {
      return CircuitState.DISABLED;
    }
    switch (breaker.getState()) {
      case OPEN:
      case FORCED_OPEN:
        return CircuitState.OPEN;
      case HALF_OPEN:
        return CircuitState.HALF_OPEN;
      default:
        return CircuitState.CLOSED;
    }
  }

  /**
   * Registers the gauge {@code sluice.circuit.state} (tag {@code destination}; 0 closed, 1 half
   * open, 2 open) when the destination has a circuit breaker. The registry holds this object weakly.
   *
   * @param registry the registry to register with
   */
  public void registerMetrics(MeterRegistry registry) {
    if (breaker == null) {
      return;
    }
    Gauge gauge = Gauge.builder("sluice.circuit.state", this, GuardedDestination::circuitStateValue)
        .description("Circuit breaker of the destination: 0 closed, 1 half open, 2 open")
        .tag("destination", name)
        .register(registry);
    circuitGauge = gauge;
    gaugeRegistry = registry;
  }

  /** Removes what {@link #registerMetrics} registered (when Sluice closes). */
  public void removeMetrics() {
    Gauge gauge = circuitGauge;
    if (gauge != null) {
      gaugeRegistry.remove(gauge);
      circuitGauge = null;
    }
  }

  private static double circuitStateValue(GuardedDestination d) {
    switch (d.circuitState()) {
      case OPEN:
        return 2;
      case HALF_OPEN:
        return 1;
      case CLOSED:
        return 0;
      default:
        return Double.NaN;
    }
  }

  /**
   * Delivers {@code records}, retrying what fails retryably, until every record is delivered,
   * failed for good, or abandoned. Observes nothing.
   *
   * @param pipeline the pipeline the records come from
   * @param runId the run delivering them
   * @param records the records to deliver
   * @param stopping asked between attempts; true abandons what is not delivered yet
   * @return what happened to each record
   * @throws InterruptedException when interrupted while {@code stopping} answers false
   * @see #deliver(String, String, List, BooleanSupplier, ObservationRegistry, Observation)
   */
  public Outcome deliver(String pipeline, String runId, List<Record> records, BooleanSupplier stopping)
      throws InterruptedException {
    return deliver(pipeline, runId, records, stopping, ObservationRegistry.NOOP, null);
  }

  /**
   * Delivers {@code records}, retrying what fails retryably, until every record is delivered,
   * failed for good, or abandoned.
   *
   * @param pipeline goes into the {@link Batch} (and so into its idempotency keys)
   * @param runId goes into the batch
   * @param records not empty
   * @param stopping checked before each attempt and when a wait or delivery is interrupted: while
   *     it answers true, records not yet delivered are abandoned (neither delivered nor failed)
   * @param observations where each retry attempt is observed ({@code sluice.deliver.retry})
   * @param parent the observation retries are children of (the batch's {@code sluice.deliver}), or
   *     null
   * @return what happened to each record
   * @throws InterruptedException when interrupted while {@code stopping} answers false
   */
  public Outcome deliver(String pipeline, String runId, List<Record> records, BooleanSupplier stopping,
      ObservationRegistry observations, Observation parent) throws InterruptedException {
    Instant started = clock.instant();
    Instant deadline = started.plus(settings.maxElapsedTime());
    Outcome out = new Outcome(records.size());
    List<Integer> pending = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      pending.add(i);
    }
    Map<Integer, String> lastReason = new HashMap<>();
    Instant firstFailure = null;
    for (int attempt = 1; ; attempt++) {
      Permit permit = acquire(deadline, stopping);
      if (permit == Permit.STOPPED) {
        out.abandon(pending);
        return out;
      }
      Instant now = clock.instant();
      if (permit == Permit.EXPIRED) {
        String why = "gave up after " + (attempt - 1) + " attempt(s) in " + elapsed(started, now)
            + " (maxElapsedTime " + settings.maxElapsedTime() + "): " + (breaker != null
                && circuitState() != CircuitState.CLOSED ? "circuit breaker open" : "rate limited");
        for (int i : pending) {
          String last = lastReason.get(i);
          out.fail(i, new Failure(last == null ? why : why + "; last error: " + last, attempt - 1,
              firstFailure == null ? now : firstFailure, now));
        }
        return out;
      }
      Observation retryObservation = null;
      Observation.Scope retryScope = null;
      if (attempt > 1) {
        out.retries++;
        out.retriedRecords += pending.size();
        if (!observations.isNoop()) {
          retryObservation = Observation.createNotStarted("sluice.deliver.retry", observations)
              .contextualName("retry " + name)
              .lowCardinalityKeyValue("pipeline", pipeline)
              .lowCardinalityKeyValue("destination", name)
              .highCardinalityKeyValue("run.id", runId)
              .highCardinalityKeyValue("attempt", Integer.toString(attempt));
          if (parent != null) {
            retryObservation.parentObservation(parent);
          }
          retryObservation.start();
          retryScope = retryObservation.openScope();
        }
      }
      out.attempts = attempt;
      Batch batch = new Batch(pipeline, name, runId, pending.stream().map(records::get).toList(), attempt);
      Map<Integer, RecordFailure> failures;
      boolean recorded = false;
      long t0 = System.nanoTime();
      try {
        DeliveryResult result = call(batch);
        failures = result.failures();
        breakerSuccess(t0);
        recorded = true;
        if (retryObservation != null && !failures.isEmpty()) {
          retryObservation.highCardinalityKeyValue("failed", Integer.toString(failures.size()));
        }
      } catch (InterruptedException e) {
        if (retryObservation != null) {
          retryObservation.error(e);
        }
        if (stopping.getAsBoolean()) {
          out.abandon(pending);
          return out;
        }
        throw e;
      } catch (Exception e) {
        if (retryObservation != null) {
          retryObservation.error(e);
        }
        if (stopping.getAsBoolean()) {
          // Most likely our own interrupt: not the destination's fault, not a dead letter.
          out.abandon(pending);
          return out;
        }
        boolean bug = DestinationBugs.isBug(e); // e.g. an NPE on an unexpected record: not an outage
        boolean retryable = bug ? DestinationBugs.retry(attempt, settings)
            : !(e instanceof DeliveryException) || ((DeliveryException) e).isRetryable();
        Duration retryAfter = e instanceof DeliveryException ? ((DeliveryException) e).retryAfter().orElse(null) : null;
        if (retryable && !bug) {
          breakerFailure(t0, e);
        } else {
          breakerSuccess(t0); // the destination answered; the records are what is wrong
        }
        recorded = true;
        if (bug) {
          LOG.error("pipeline '{}': destination '{}' threw {} delivering {} record(s) (attempt {}); a bug in the"
              + " destination plugin: {}", pipeline, name, e.getClass().getName(), pending.size(), attempt,
              retryable ? "trying once more" : "the records become dead letters", e);
        }
        RecordFailure f = new RecordFailure(bug ? DestinationBugs.reason(name, e) : describe(e), retryable, retryAfter);
        failures = new HashMap<>();
        for (int i = 0; i < pending.size(); i++) {
          failures.put(i, f);
        }
      } finally {
        if (!recorded && breaker != null) {
          breaker.releasePermission();
        }
        if (retryObservation != null) {
          retryScope.close();
          retryObservation.stop();
        }
      }
      now = clock.instant();
      if (failures.isEmpty()) {
        return out;
      }
      if (firstFailure == null) {
        firstFailure = now;
      }
      List<Integer> retry = new ArrayList<>();
      Duration retryAfter = null;
      for (Map.Entry<Integer, RecordFailure> e : failures.entrySet()) {
        if (e.getKey() < 0 || e.getKey() >= pending.size()) {
          LOG.error("destination '{}' reported a failure for index {} of a batch of {} records; ignored",
              name, e.getKey(), pending.size());
        }
      }
      for (int i = 0; i < pending.size(); i++) {
        RecordFailure f = failures.get(i);
        int index = pending.get(i);
        if (f == null) {
          continue;
        }
        if (!f.retryable()) {
          out.fail(index, new Failure("permanent failure: " + f.reason(), attempt, firstFailure, now));
        } else if (attempt >= settings.maxAttempts()) {
          out.fail(index, new Failure("gave up after " + attempt + " attempts: " + f.reason(), attempt,
              firstFailure, now));
        } else {
          retry.add(index);
          lastReason.put(index, f.reason());
          if (f.retryAfter() != null && (retryAfter == null || f.retryAfter().compareTo(retryAfter) > 0)) {
            retryAfter = f.retryAfter();
          }
        }
      }
      if (retry.isEmpty()) {
        return out;
      }
      Duration wait = backoff(attempt);
      if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
        wait = retryAfter;
      }
      if (now.plus(wait).isAfter(deadline)) {
        for (int i : retry) {
          out.fail(i, new Failure("gave up after " + attempt + " attempts in " + elapsed(started, now)
              + " (the next try, in " + wait + ", would pass maxElapsedTime " + settings.maxElapsedTime()
              + "): " + lastReason.get(i), attempt, firstFailure, now));
        }
        return out;
      }
      LOG.warn("pipeline '{}': delivery of {} record(s) to destination '{}' failed (attempt {}/{}), retrying in {} ms: {}",
          pipeline, retry.size(), name, attempt, settings.maxAttempts(), wait.toMillis(), lastReason.get(retry.get(0)));
      if (!pause(wait, stopping)) {
        out.abandon(retry);
        return out;
      }
      pending = retry;
    }
  }

  /** One call into the destination, counted while it is in progress. */
  private DeliveryResult call(Batch batch) throws Exception {
    enter();
    // As while the connector reads: the plugin's own loader is the context class loader.
    Thread thread = Thread.currentThread();
    ClassLoader previousLoader = thread.getContextClassLoader();
    thread.setContextClassLoader(destination.getClass().getClassLoader());
    try {
      return destination.deliver(batch);
    } finally {
      thread.setContextClassLoader(previousLoader);
      leave();
    }
  }

  /**
   * Tells the destination a run ended ({@link Destination#finishRun}), counted as a call in
   * progress like a delivery.
   *
   * @param run the run that ended
   * @param succeeded whether it succeeded
   * @throws Exception what the destination threw
   */
  public void finishRun(dev.sluice.spi.RunInfo run, boolean succeeded) throws Exception {
    enter();
    try {
      destination.finishRun(run, succeeded);
    } finally {
      leave();
    }
  }

  /**
   * Calls into the destination (deliveries, {@code finishRun}) in progress now.
   *
   * @return the count
   */
  public int callsInProgress() {
    synchronized (calls) {
      return calls[0];
    }
  }

  /**
   * Waits until no call into the destination is in progress.
   *
   * @param deadlineNanos a {@link System#nanoTime()} value
   * @return false when calls were still in progress at the deadline
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitNoCalls(long deadlineNanos) throws InterruptedException {
    synchronized (calls) {
      while (calls[0] > 0) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(calls, left);
      }
      return true;
    }
  }

  private void enter() {
    synchronized (calls) {
      calls[0]++;
    }
  }

  private void leave() {
    synchronized (calls) {
      if (--calls[0] == 0) {
        calls.notifyAll();
      }
    }
  }

  /**
   * Exponential backoff with full jitter: uniform in [0, min(maxBackoff, initialBackoff ×
   * 2^(attempt-1))].
   */
  Duration backoff(int attempt) {
    long initial = settings.initialBackoff().toNanos();
    long cap = settings.maxBackoff().toNanos();
    int shift = Math.min(attempt - 1, 62);
    long ceiling = initial > (cap >> shift) ? cap : Math.min(cap, initial << shift);
    return ceiling <= 0 ? Duration.ZERO : Duration.ofNanos(uniform.applyAsLong(ceiling + 1));
  }

  private enum Permit { GRANTED, STOPPED, EXPIRED }

  /**
   * Waits for the breaker and the rate limiter; neither wait is an attempt. A breaker permit taken
   * here is released again unless {@link Permit#GRANTED} is returned, also when a wait throws.
   */
  private Permit acquire(Instant deadline, BooleanSupplier stopping) throws InterruptedException {
    if (stopping.getAsBoolean()) {
      return Permit.STOPPED;
    }
    if (breaker != null) {
      Permit p = acquireBreaker(deadline, stopping);
      if (p != Permit.GRANTED) {
        return p;
      }
    }
    boolean granted = false;
    try {
      Permit p = acquireRateLimit(deadline, stopping);
      granted = p == Permit.GRANTED;
      return p;
    } finally {
      if (!granted) {
        releaseBreaker(); // the call will not happen: give the breaker's permit (maybe the probe) back
      }
    }
  }

  private Permit acquireBreaker(Instant deadline, BooleanSupplier stopping) throws InterruptedException {
    while (!breaker.tryAcquirePermission()) {
      if (stopping.getAsBoolean()) {
        return Permit.STOPPED;
      }
      Instant now = clock.instant();
      if (circuitState() == CircuitState.OPEN) {
        // The breaker lets a probe through once the clock is strictly after the open period.
        Instant until = openUntil.plusMillis(1);
        Duration wait = now.isBefore(until) ? Duration.between(now, until) : Duration.ofMillis(1);
        if (now.plus(wait).isAfter(deadline)) {
          return Permit.EXPIRED;
        }
        if (!pause(wait, stopping)) {
          return Permit.STOPPED;
        }
      } else {
        // Half open with the probe out on another thread: its outcome decides, in real time.
        if (!now.isBefore(deadline)) {
          return Permit.EXPIRED;
        }
        Instant since = halfOpenSince;
        if (since != Instant.MAX && !now.isBefore(since.plus(settings.circuitBreakerProbeTimeout()))) {
          reopenAfterSilentProbe();
          continue;
        }
        synchronized (breakerMonitor) {
          if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
            breakerMonitor.wait(PROBE_POLL_MILLIS);
          }
        }
      }
    }
    return Permit.GRANTED;
  }

  /** The probe did not report within the probe timeout: count it as failed. */
  private void reopenAfterSilentProbe() {
    synchronized (breakerMonitor) {
      if (breaker.getState() != CircuitBreaker.State.HALF_OPEN) {
        return; // another waiter, or the probe itself, moved it on
      }
      LOG.warn("destination '{}': the circuit breaker's probe did not report within {}; opening the breaker again",
          name, settings.circuitBreakerProbeTimeout());
      breaker.transitionToOpenState();
    }
  }

  private Permit acquireRateLimit(Instant deadline, BooleanSupplier stopping) throws InterruptedException {
    if (limiter == null) {
      return Permit.GRANTED;
    }
    long nanos = limiter.reservePermission(1);
    Instant now = clock.instant();
    if (nanos < 0 || now.plusNanos(nanos).isAfter(deadline)) {
      return Permit.EXPIRED;
    }
    if (nanos > 0 && !pause(Duration.ofNanos(nanos), stopping)) {
      return Permit.STOPPED;
    }
    return Permit.GRANTED;
  }

  /** Sleeps; false when interrupted because delivery is stopping. */
  private boolean pause(Duration wait, BooleanSupplier stopping) throws InterruptedException {
    try {
      sleeper.sleep(wait);
      return !stopping.getAsBoolean();
    } catch (InterruptedException e) {
      if (stopping.getAsBoolean()) {
        return false;
      }
      throw e;
    }
  }

  private void breakerSuccess(long t0) {
    if (breaker != null) {
      breaker.onSuccess(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }
  }

  private void breakerFailure(long t0, Throwable error) {
    if (breaker != null) {
      breaker.onError(System.nanoTime() - t0, TimeUnit.NANOSECONDS, error);
    }
  }

  private void releaseBreaker() {
    if (breaker != null) {
      breaker.releasePermission();
    }
  }

  private static Duration elapsed(Instant from, Instant to) {
    return Duration.between(from, to);
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getName();
    }
    return e instanceof DeliveryException ? message : e.getClass().getSimpleName() + ": " + message;
  }

  @Override
  public String toString() {
    return "GuardedDestination{" + name + ", " + settings + "}";
  }

  /**
   * Why a record could not be delivered.
   *
   * @param reason the last error, with how the dispatcher gave up
   * @param attempts delivery attempts that included the record
   * @param firstFailedAt when the first attempt failed
   * @param lastFailedAt when the dispatcher gave up
   */
  public record Failure(String reason, int attempts, Instant firstFailedAt, Instant lastFailedAt) {}

  /** What happened to each record of one {@link #deliver} call. Not thread-safe. */
  public static final class Outcome {
    private final int size;
    private final Map<Integer, Failure> failures = new TreeMap<>();
    private final BitSet abandoned = new BitSet();
    private int attempts;
    private int retries;
    private long retriedRecords;

    Outcome(int size) {
      this.size = size;
    }

    void fail(int index, Failure failure) {
      failures.put(index, failure);
    }

    void abandon(List<Integer> indexes) {
      indexes.forEach(abandoned::set);
    }

    /**
     * The number of records of the call.
     *
     * @return the count
     */
    public int size() {
      return size;
    }

    /**
     * Whether the record at {@code index} was delivered.
     *
     * @param index the record's index in the call's list
     * @return true when neither failed nor abandoned
     */
    public boolean isDelivered(int index) {
      return !failures.containsKey(index) && !abandoned.get(index);
    }

    /**
     * Why the record at {@code index} failed.
     *
     * @param index the record's index in the call's list
     * @return the failure, or empty when it did not fail
     */
    public Optional<Failure> failure(int index) {
      return Optional.ofNullable(failures.get(index));
    }

    /**
     * Failed records by index.
     *
     * @return an unmodifiable view
     */
    public Map<Integer, Failure> failures() {
      return Collections.unmodifiableMap(failures);
    }

    /**
     * Whether the record at {@code index} was abandoned (delivery stopped before it was settled).
     *
     * @param index the record's index in the call's list
     * @return true when abandoned
     */
    public boolean isAbandoned(int index) {
      return abandoned.get(index);
    }

    /**
     * The number of records delivered.
     *
     * @return the count
     */
    public int delivered() {
      return size - failures.size() - abandoned.cardinality();
    }

    /**
     * The number of records abandoned.
     *
     * @return the count
     */
    public int abandoned() {
      return abandoned.cardinality();
    }

    /**
     * Delivery attempts made (the first plus retries).
     *
     * @return the count
     */
    public int attempts() {
      return attempts;
    }

    /**
     * Attempts after the first.
     *
     * @return the count
     */
    public int retries() {
      return retries;
    }

    /**
     * Records sent again in the attempts after the first: each counts once per retry attempt.
     *
     * @return the count
     */
    public long retriedRecords() {
      return retriedRecords;
    }
  }
}
