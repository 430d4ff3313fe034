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

  /** @serial whether retrying may help */
  private final boolean retryable;
  private final transient Duration retryAfter;

  /**
   * Creates the exception; usually one of the factories is shorter.
   *
   * @param message what failed; never secrets
   * @param retryable whether retrying may help
   * @param retryAfter how long the server asked to wait, or null
   * @param cause the underlying failure, or null
   */
  public DeliveryException(String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /**
   * A failure that retrying may fix (timeout, 5xx, 429).
   *
   * @param message what failed; never secrets
   * @return the exception
   */
  public static DeliveryException retryable(String message) {
    return new DeliveryException(message, true, null, null);
  }

  /**
   * A failure that retrying may fix (timeout, 5xx, 429).
   *
   * @param message what failed; never secrets
   * @param cause the underlying failure
   * @return the exception
   */
  public static DeliveryException retryable(String message, Throwable cause) {
    return new DeliveryException(message, true, null, cause);
  }

  /**
   * Retryable, after at least {@code retryAfter} (from a {@code Retry-After} header).
   *
   * @param message what failed; never secrets
   * @param retryAfter the least wait before the next attempt
   * @return the exception
   */
  public static DeliveryException retryAfter(String message, Duration retryAfter) {
    return new DeliveryException(message, true, retryAfter, null);
  }

  /**
   * A failure that retrying won't fix (bad request, schema mismatch): the batch is dead-lettered.
   *
   * @param message what failed; never secrets
   * @return the exception
   */
  public static DeliveryException permanent(String message) {
    return new DeliveryException(message, false, null, null);
  }

  /**
   * A failure that retrying won't fix (bad request, schema mismatch): the batch is dead-lettered.
   *
   * @param message what failed; never secrets
   * @param cause the underlying failure
   * @return the exception
   */
  public static DeliveryException permanent(String message, Throwable cause) {
    return new DeliveryException(message, false, null, cause);
  }

  /**
   * Whether retrying may help.
   *
   * @return true for a retryable failure
   */
  public boolean isRetryable() {
    return retryable;
  }

  /**
   * How long the server asked to wait before retrying. Not serialized.
   *
   * @return the wait, or empty when none was given
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
