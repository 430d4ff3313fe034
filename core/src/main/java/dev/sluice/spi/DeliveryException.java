package dev.sluice.spi;

import dev.sluice.SluiceException;
import java.time.Duration;
import java.util.Optional;

/**
 * A destination failed to deliver a whole batch, and says whether retrying may help.
 *
 * <p>Thrown by {@link Destination#deliver}. Permanent failures (bad request, schema mismatch) send
 * the batch's records straight to the dead-letter store; retryable ones (timeouts, 5xx, 429) are
 * retried with backoff, waiting at least {@link #retryAfter()} when the server gave one.
 */
public class DeliveryException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;
  private final transient Duration retryAfter;

  public DeliveryException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  public static DeliveryException retryable(String message) {
    return new DeliveryException(message, true, null, null);
  }

  public static DeliveryException retryable(String message, Throwable cause) {
    return new DeliveryException(message, true, null, cause);
  }

  /** Retryable, after at least {@code retryAfter} (from a {@code Retry-After} header). */
  public static DeliveryException retryAfter(String message, Duration retryAfter) {
    return new DeliveryException(message, true, retryAfter, null);
  }

  public static DeliveryException permanent(String message) {
    return new DeliveryException(message, false, null, null);
  }

  public static DeliveryException permanent(String message, Throwable cause) {
    return new DeliveryException(message, false, null, cause);
  }

  public boolean isRetryable() {
    return retryable;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
