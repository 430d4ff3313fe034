package dev.sluice.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * How records are batched, retried, throttled and guarded on their way to one destination.
 *
 * <p>Immutable and validated: each builder setter rejects a bad value when it is set, naming the
 * setting and the value; {@link Builder#build()} checks settings that depend on each other.
 *
 * <p>Batching:
 *
 * <ul>
 *   <li>{@code batchSize} (default 500): at most this many records per delivery.
 *   <li>{@code maxBatchBytes} (default 0 = no limit): at most about this many bytes per delivery,
 *       counted as the estimated compact JSON size of each record's data (measured once per record,
 *       without serializing it). A record larger than the limit travels alone.
 *   <li>{@code linger} (default 200 ms): how long a partial batch waits for more records.
 *   <li>{@code bufferCapacity} (default 2 × batchSize): records waiting for this destination
 *       before the router blocks (backpressure).
 *   <li>{@code bufferBytes} (default 64 MiB): bytes (estimated as for {@code maxBatchBytes}) waiting
 *       for this destination before the router blocks, whichever of the two limits comes first. A
 *       record larger than the limit is still taken when the buffer is empty, so nothing deadlocks.
 *   <li>{@code concurrency} (default 1): batches of one run in flight at once. Above 1, batches may
 *       complete out of order (and reach the destination out of order); checkpoints still only pass
 *       records that are settled.
 * </ul>
 *
 * <p>Retries (a batch, or the records of it that failed retryably, are tried again):
 *
 * <ul>
 *   <li>{@code maxAttempts} (default 5): deliveries tried per record before it becomes a dead
 *       letter.
 *   <li>{@code maxElapsedTime} (default 10 min): how long a batch may take from its first attempt
 *       (waits included) before what is left of it becomes dead letters. A wait that would end
 *       after this is not started.
 *   <li>{@code deliveryTimeout} (default maxElapsedTime + 1 min): the hard deadline of one batch's
 *       delivery, attempts and waits included. A batch still being delivered after it is hung (the
 *       destination ignores its own timeouts): the delivery is interrupted, delivery to the
 *       destination stops for the run, which fails; the records not delivered are not
 *       checkpointed, so the next run reads them again. A call that does not return within {@link
 *       #abandonGrace()} of the interrupt is abandoned (logged).
 *   <li>{@code initialBackoff} (default 200 ms), {@code maxBackoff} (default 30 s): exponential
 *       backoff with full jitter: before attempt n+1 the dispatcher waits a uniformly random time
 *       in [0, min(maxBackoff, initialBackoff × 2^(n-1))]. A server's {@code Retry-After} wins when
 *       it is longer.
 * </ul>
 *
 * <p>Guards, shared by every run and replay that delivers to the destination:
 *
 * <ul>
 *   <li>{@code circuitBreaker} (default: opens after 5 consecutive failed attempts, stays open 30
 *       s): while open, deliveries <em>wait</em> for it instead of failing, so an outage does not
 *       burn attempts and turn every record into a dead letter; the wait still counts toward
 *       {@code maxElapsedTime}. After the open period one probe delivery is let through (half
 *       open): success closes the breaker, failure opens it again. Only retryable failures of a
 *       whole batch count as failures; a permanent failure or a partial result means the
 *       destination answered. A probe whose outcome is not in after {@code probeTimeout} (default
 *       60 s) counts as failed: the breaker opens again and a new probe follows the next open
 *       period, so a probe that never reports can't keep the breaker half open.
 *   <li>{@code rateLimit} (default none): at most {@code permits} delivery attempts per {@code
 *       period}; excess attempts wait.
 * </ul>
 */
public final class DeliverySettings {
  /** Default of {@code bufferBytes}. */
  public static final long DEFAULT_BUFFER_BYTES = 64L << 20;
  /** Added to {@code maxElapsedTime} for the default {@code deliveryTimeout}. */
  static final Duration DELIVERY_TIMEOUT_MARGIN = Duration.ofMinutes(1);
  /** Longest wait for a call to return after it was interrupted, before it is abandoned. */
  static final Duration MAX_ABANDON_GRACE = Duration.ofSeconds(10);
  private static final DeliverySettings DEFAULTS = builder().build();

  private final int batchSize;
  private final long maxBatchBytes;
  private final Duration linger;
  private final int bufferCapacity;
  private final long bufferBytes;
  private final int concurrency;
  private final int maxAttempts;
  private final Duration maxElapsedTime;
  private final Duration deliveryTimeout; // null: maxElapsedTime + DELIVERY_TIMEOUT_MARGIN
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final int breakerFailures;
  private final Duration breakerOpenDuration;
  private final Duration probeTimeout;
  private final int ratePermits;
  private final Duration ratePeriod;

  private DeliverySettings(Builder b) {
    if (b.maxBackoff.compareTo(b.initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + b.maxBackoff + ") must not be shorter than initialBackoff ("
              + b.initialBackoff + ")");
    }
    if (b.bufferCapacity > 0 && b.bufferCapacity < b.batchSize) {
      throw new IllegalArgumentException(
          "bufferCapacity (" + b.bufferCapacity + ") must be at least batchSize (" + b.batchSize
              + "), or 0 for 2 x batchSize");
    }
    if (b.deliveryTimeout != null && b.deliveryTimeout.compareTo(b.maxElapsedTime) < 0) {
      throw new IllegalArgumentException(
          "deliveryTimeout (" + b.deliveryTimeout + ") must not be shorter than maxElapsedTime ("
              + b.maxElapsedTime + "): it is the hard deadline of a delivery that maxElapsedTime already bounds");
    }
    this.batchSize = b.batchSize;
    this.maxBatchBytes = b.maxBatchBytes;
    this.linger = b.linger;
    this.bufferCapacity = b.bufferCapacity > 0 ? b.bufferCapacity : 2 * b.batchSize;
    this.bufferBytes = b.bufferBytes;
    this.concurrency = b.concurrency;
    this.maxAttempts = b.maxAttempts;
    this.maxElapsedTime = b.maxElapsedTime;
    this.deliveryTimeout = b.deliveryTimeout;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.breakerFailures = b.breakerFailures;
    this.breakerOpenDuration = b.breakerOpenDuration;
    this.probeTimeout = b.probeTimeout;
    this.ratePermits = b.ratePermits;
    this.ratePeriod = b.ratePeriod;
  }

  /**
   * The settings with every default (see the class description).
   *
   * @return the shared default settings
   */
  public static DeliverySettings defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding these settings.
   *
   * @return a new builder; changing it does not change these settings
   */
  public Builder toBuilder() {
    Builder b = new Builder()
        .batchSize(batchSize)
        .maxBatchBytes(maxBatchBytes)
        .linger(linger)
        .bufferCapacity(bufferCapacity)
        .bufferBytes(bufferBytes)
        .concurrency(concurrency)
        .maxAttempts(maxAttempts)
        .maxElapsedTime(maxElapsedTime)
        .initialBackoff(initialBackoff)
        .maxBackoff(maxBackoff);
    if (deliveryTimeout != null) {
      b.deliveryTimeout(deliveryTimeout);
    }
    b.probeTimeout(probeTimeout);
    b = breakerFailures == 0 ? b.noCircuitBreaker() : b.circuitBreaker(breakerFailures, breakerOpenDuration);
    return ratePermits == 0 ? b.noRateLimit() : b.rateLimit(ratePermits, ratePeriod);
  }

  /**
   * At most this many records per delivery.
   *
   * @return the batch size, at least 1
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * 0 when batches are not limited by size in bytes.
   *
   * @return the limit in bytes, or 0
   */
  public long maxBatchBytes() {
    return maxBatchBytes;
  }

  /**
   * How long a partial batch waits for more records.
   *
   * @return the linger time, not negative
   */
  public Duration linger() {
    return linger;
  }

  /**
   * Records waiting for the destination before the router blocks.
   *
   * @return the capacity, at least {@link #batchSize()} (2 × batch size unless set)
   */
  public int bufferCapacity() {
    return bufferCapacity;
  }

  /**
   * Estimated bytes of records waiting for the destination before the router blocks.
   *
   * @return the limit in bytes, at least 1
   */
  public long bufferBytes() {
    return bufferBytes;
  }

  /**
   * Batches of one run in flight at once.
   *
   * @return between 1 and 64
   */
  public int concurrency() {
    return concurrency;
  }

  /**
   * Deliveries tried per record before it becomes a dead letter.
   *
   * @return between 1 and 1000
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * How long a batch may take from its first attempt, waits included, before what is left of it
   * becomes dead letters.
   *
   * @return a positive duration
   */
  public Duration maxElapsedTime() {
    return maxElapsedTime;
  }

  /**
   * The hard deadline of one batch's delivery; see the class description.
   *
   * @return the configured timeout, or {@link #maxElapsedTime()} plus one minute
   */
  public Duration deliveryTimeout() {
    return deliveryTimeout != null ? deliveryTimeout : maxElapsedTime.plus(DELIVERY_TIMEOUT_MARGIN);
  }

  /**
   * How long a hung or aborted delivery gets to return after it was interrupted before it is
   * abandoned: the shorter of {@link #deliveryTimeout()} and 10 s.
   *
   * @return a positive duration of at most 10 seconds
   */
  public Duration abandonGrace() {
    Duration timeout = deliveryTimeout();
    return timeout.compareTo(MAX_ABANDON_GRACE) < 0 ? timeout : MAX_ABANDON_GRACE;
  }

  /**
   * The upper bound of the first backoff wait.
   *
   * @return a duration, not negative
   */
  public Duration initialBackoff() {
    return initialBackoff;
  }

  /**
   * The upper bound of any backoff wait (a longer {@code Retry-After} still wins).
   *
   * @return a duration, not shorter than {@link #initialBackoff()}
   */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /**
   * Consecutive failed attempts that open the circuit breaker; 0 when there is no breaker.
   *
   * @return the threshold, or 0
   */
  public int circuitBreakerFailures() {
    return breakerFailures;
  }

  /**
   * How long the breaker stays open before it lets a probe through.
   *
   * @return a positive duration
   */
  public Duration circuitBreakerOpenDuration() {
    return breakerOpenDuration;
  }

  /**
   * How long a half-open breaker waits for its probe's outcome before it opens again.
   *
   * @return a positive duration
   */
  public Duration circuitBreakerProbeTimeout() {
    return probeTimeout;
  }

  /**
   * Whether deliveries are guarded by a circuit breaker.
   *
   * @return true when {@link #circuitBreakerFailures()} is positive
   */
  public boolean hasCircuitBreaker() {
    return breakerFailures > 0;
  }

  /**
   * Delivery attempts allowed per {@link #rateLimitPeriod()}; 0 when there is no rate limit.
   *
   * @return the permits, or 0
   */
  public int rateLimitPermits() {
    return ratePermits;
  }

  /**
   * The period of {@link #rateLimitPermits()}.
   *
   * @return a duration of at least 1 ms (1 s unless set)
   */
  public Duration rateLimitPeriod() {
    return ratePeriod;
  }

  /**
   * Whether delivery attempts are rate-limited.
   *
   * @return true when {@link #rateLimitPermits()} is positive
   */
  public boolean hasRateLimit() {
    return ratePermits > 0;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeliverySettings)) {
      return false;
    }
    DeliverySettings d = (DeliverySettings) o;
    return batchSize == d.batchSize
        && maxBatchBytes == d.maxBatchBytes
        && linger.equals(d.linger)
        && bufferCapacity == d.bufferCapacity
        && bufferBytes == d.bufferBytes
        && concurrency == d.concurrency
        && maxAttempts == d.maxAttempts
        && maxElapsedTime.equals(d.maxElapsedTime)
        && Objects.equals(deliveryTimeout, d.deliveryTimeout)
        && initialBackoff.equals(d.initialBackoff)
        && maxBackoff.equals(d.maxBackoff)
        && breakerFailures == d.breakerFailures
        && breakerOpenDuration.equals(d.breakerOpenDuration)
        && probeTimeout.equals(d.probeTimeout)
        && ratePermits == d.ratePermits
        && ratePeriod.equals(d.ratePeriod);
  }

  @Override
  public int hashCode() {
    return Objects.hash(batchSize, maxBatchBytes, linger, bufferCapacity, bufferBytes, concurrency, maxAttempts,
        maxElapsedTime, deliveryTimeout, initialBackoff, maxBackoff, breakerFailures, breakerOpenDuration,
        probeTimeout, ratePermits, ratePeriod);
  }

  @Override
  public String toString() {
    return "DeliverySettings{batchSize=" + batchSize + ", maxBatchBytes=" + maxBatchBytes
        + ", linger=" + linger + ", bufferCapacity=" + bufferCapacity + ", bufferBytes=" + bufferBytes
        + ", concurrency=" + concurrency + ", maxAttempts=" + maxAttempts + ", maxElapsedTime=" + maxElapsedTime
        + ", deliveryTimeout=" + deliveryTimeout()
        + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
        + ", circuitBreaker=" + (breakerFailures == 0 ? "none"
            : breakerFailures + " failures/" + breakerOpenDuration + "/probe " + probeTimeout)
        + ", rateLimit=" + (ratePermits == 0 ? "none" : ratePermits + "/" + ratePeriod) + "}";
  }

  /** Builds {@link DeliverySettings}; each setter checks its value. Not thread-safe. */
  public static final class Builder {
    private int batchSize = 500;
    private long maxBatchBytes;
    private Duration linger = Duration.ofMillis(200);
    private int bufferCapacity;
    private long bufferBytes = DEFAULT_BUFFER_BYTES;
    private int concurrency = 1;
    private int maxAttempts = 5;
    private Duration maxElapsedTime = Duration.ofMinutes(10);
    private Duration deliveryTimeout;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private int breakerFailures = 5;
    private Duration breakerOpenDuration = Duration.ofSeconds(30);
    private Duration probeTimeout = Duration.ofSeconds(60);
    private int ratePermits;
    private Duration ratePeriod = Duration.ofSeconds(1);

    private Builder() {}

    /**
     * At most this many records per delivery. Default 500.
     *
     * @param value between 1 and 1,000,000
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is out of range
     */
    public Builder batchSize(int value) {
      this.batchSize = between("batchSize", value, 1, 1_000_000);
      return this;
    }

    /**
     * 0 means no limit.
     *
     * @param value the limit in bytes, at least 0
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public Builder maxBatchBytes(long value) {
      if (value < 0) {
        throw new IllegalArgumentException("maxBatchBytes must be >= 0 (0 = no limit), got " + value);
      }
      this.maxBatchBytes = value;
      return this;
    }

    /**
     * How long a partial batch waits for more records. Default 200 ms.
     *
     * @param value not negative
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public Builder linger(Duration value) {
      this.linger = nonNegative("linger", value);
      return this;
    }

    /**
     * 0 means 2 × batchSize.
     *
     * @param value the capacity in records; 0, or at least the batch size (checked by
     *     {@link #build()})
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public Builder bufferCapacity(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("bufferCapacity must be >= 0, got " + value);
      }
      this.bufferCapacity = value;
      return this;
    }

    /**
     * At least 1; see the class description.
     *
     * @param value the limit in bytes
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is under 1
     */
    public Builder bufferBytes(long value) {
      if (value < 1) {
        throw new IllegalArgumentException("bufferBytes must be >= 1, got " + value);
      }
      this.bufferBytes = value;
      return this;
    }

    /**
     * Batches of one run in flight at once. Default 1.
     *
     * @param value between 1 and 64
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is out of range
     */
    public Builder concurrency(int value) {
      this.concurrency = between("concurrency", value, 1, 64);
      return this;
    }

    /**
     * Deliveries tried per record before it becomes a dead letter. Default 5.
     *
     * @param value between 1 and 1000
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is out of range
     */
    public Builder maxAttempts(int value) {
      this.maxAttempts = between("maxAttempts", value, 1, 1000);
      return this;
    }

    /**
     * How long a batch may take from its first attempt, waits included. Default 10 minutes.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is not positive
     */
    public Builder maxElapsedTime(Duration value) {
      this.maxElapsedTime = positive("maxElapsedTime", value);
      return this;
    }

    /**
     * Not shorter than {@code maxElapsedTime} (checked by {@link #build()}); see the class
     * description.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is not positive
     */
    public Builder deliveryTimeout(Duration value) {
      this.deliveryTimeout = positive("deliveryTimeout", value);
      return this;
    }

    /**
     * The upper bound of the first backoff wait. Default 200 ms.
     *
     * @param value not negative
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public Builder initialBackoff(Duration value) {
      this.initialBackoff = nonNegative("initialBackoff", value);
      return this;
    }

    /**
     * The upper bound of any backoff wait. Default 30 s; not shorter than the initial backoff
     * (checked by {@link #build()}).
     *
     * @param value not negative
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public Builder maxBackoff(Duration value) {
      this.maxBackoff = nonNegative("maxBackoff", value);
      return this;
    }

    /**
     * A circuit breaker that opens after {@code consecutiveFailures} failed attempts in a row and
     * lets a probe through after {@code openDuration}.
     *
     * @param consecutiveFailures between 1 and 10,000
     * @param openDuration positive
     * @return this builder
     * @throws IllegalArgumentException when a value is out of range
     */
    public Builder circuitBreaker(int consecutiveFailures, Duration openDuration) {
      this.breakerFailures = between("circuitBreaker consecutiveFailures", consecutiveFailures, 1, 10_000);
      this.breakerOpenDuration = positive("circuitBreaker openDuration", openDuration);
      return this;
    }

    /**
     * How long a half-open breaker waits for its probe's outcome (default 60 s).
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is not positive
     */
    public Builder probeTimeout(Duration value) {
      this.probeTimeout = positive("circuitBreaker probeTimeout", value);
      return this;
    }

    /**
     * Removes the circuit breaker: deliveries never wait for one.
     *
     * @return this builder
     */
    public Builder noCircuitBreaker() {
      this.breakerFailures = 0;
      return this;
    }

    /**
     * At most {@code permits} delivery attempts per {@code period}.
     *
     * @param permits between 1 and 1,000,000
     * @param period at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException when a value is out of range
     */
    public Builder rateLimit(int permits, Duration period) {
      this.ratePermits = between("rateLimit permits", permits, 1, 1_000_000);
      this.ratePeriod = positive("rateLimit period", period);
      if (ratePeriod.toNanos() < 1_000_000) {
        throw new IllegalArgumentException("rateLimit period must be at least 1ms, got " + period);
      }
      return this;
    }

    /**
     * Removes the rate limit (the default).
     *
     * @return this builder
     */
    public Builder noRateLimit() {
      this.ratePermits = 0;
      return this;
    }

    /**
     * Checks the settings that depend on each other and builds them.
     *
     * @return the immutable settings
     * @throws IllegalArgumentException when the buffer capacity is below the batch size, the
     *     maximum backoff is shorter than the initial one, or the delivery timeout is shorter than
     *     the maximum elapsed time
     */
    public DeliverySettings build() {
      return new DeliverySettings(this);
    }

    private static int between(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    }

    private static Duration nonNegative(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + value);
      }
      return value;
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
      return value;
    }
  }
}
