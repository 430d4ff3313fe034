package dev.sluice.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * How records are batched and retried on their way to one destination.
 *
 * <p>Immutable and validated: the builder rejects a bad value when it is set, naming it.
 *
 * <ul>
 *   <li>{@code batchSize} (default 500): at most this many records per delivery.
 *   <li>{@code linger} (default 200 ms): how long a partial batch waits for more records.
 *   <li>{@code bufferCapacity} (default 2 × batchSize): records waiting for this destination
 *       before the router blocks (backpressure).
 *   <li>{@code maxAttempts} (default 5): deliveries tried per batch before its records become dead
 *       letters.
 *   <li>{@code initialBackoff} (default 200 ms), {@code maxBackoff} (default 30 s): exponential
 *       backoff with full jitter between attempts; a server's {@code Retry-After} wins when
 *       longer.
 * </ul>
 */
public final class DeliverySettings {
  private static final DeliverySettings DEFAULTS = builder().build();

  private final int batchSize;
  private final Duration linger;
  private final int bufferCapacity;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;

  private DeliverySettings(Builder b) {
    this.batchSize = b.batchSize;
    this.linger = b.linger;
    this.bufferCapacity = b.bufferCapacity > 0 ? b.bufferCapacity : 2 * b.batchSize;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff (" + maxBackoff + ") must not be shorter than initialBackoff ("
              + initialBackoff + ")");
    }
  }

  public static DeliverySettings defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .batchSize(batchSize)
        .linger(linger)
        .bufferCapacity(bufferCapacity)
        .maxAttempts(maxAttempts)
        .initialBackoff(initialBackoff)
        .maxBackoff(maxBackoff);
  }

  public int batchSize() {
    return batchSize;
  }

  public Duration linger() {
    return linger;
  }

  public int bufferCapacity() {
    return bufferCapacity;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeliverySettings)) {
      return false;
    }
    DeliverySettings d = (DeliverySettings) o;
    return batchSize == d.batchSize
        && linger.equals(d.linger)
        && bufferCapacity == d.bufferCapacity
        && maxAttempts == d.maxAttempts
        && initialBackoff.equals(d.initialBackoff)
        && maxBackoff.equals(d.maxBackoff);
  }

  @Override
  public int hashCode() {
    return Objects.hash(batchSize, linger, bufferCapacity, maxAttempts, initialBackoff, maxBackoff);
  }

  @Override
  public String toString() {
    return "DeliverySettings{batchSize=" + batchSize + ", linger=" + linger + ", bufferCapacity="
        + bufferCapacity + ", maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff
        + ", maxBackoff=" + maxBackoff + "}";
  }

  /** Builds {@link DeliverySettings}; each setter checks its value. Not thread-safe. */
  public static final class Builder {
    private int batchSize = 500;
    private Duration linger = Duration.ofMillis(200);
    private int bufferCapacity;
    private int maxAttempts = 5;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(30);

    private Builder() {}

    public Builder batchSize(int value) {
      if (value < 1 || value > 1_000_000) {
        throw new IllegalArgumentException("batchSize must be between 1 and 1000000, got " + value);
      }
      this.batchSize = value;
      return this;
    }

    public Builder linger(Duration value) {
      this.linger = nonNegative("linger", value);
      return this;
    }

    /** 0 means 2 × batchSize. */
    public Builder bufferCapacity(int value) {
      if (value < 0) {
        throw new IllegalArgumentException("bufferCapacity must be >= 0, got " + value);
      }
      this.bufferCapacity = value;
      return this;
    }

    public Builder maxAttempts(int value) {
      if (value < 1 || value > 1000) {
        throw new IllegalArgumentException("maxAttempts must be between 1 and 1000, got " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    public Builder initialBackoff(Duration value) {
      this.initialBackoff = nonNegative("initialBackoff", value);
      return this;
    }

    public Builder maxBackoff(Duration value) {
      this.maxBackoff = nonNegative("maxBackoff", value);
      return this;
    }

    public DeliverySettings build() {
      return new DeliverySettings(this);
    }

    private static Duration nonNegative(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + value);
      }
      return value;
    }
  }
}
