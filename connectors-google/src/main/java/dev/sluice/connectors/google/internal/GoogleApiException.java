package dev.sluice.connectors.google.internal;

import dev.sluice.SluiceException;

/**
 * A Google API call (or the token exchange before it) failed. The message names the request, the
 * HTTP status, Google's error status/reason and message, and what to fix; it never holds a
 * credential.
 *
 * <p>Immutable.
 */
public final class GoogleApiException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String reason;
  private final boolean retryable;

  /**
   * @param status the HTTP status, or -1 when no answer came
   * @param reason Google's error status or reason ({@code RESOURCE_EXHAUSTED}, {@code invalidQuery}),
   *     or empty
   * @param retryable whether a later run may succeed without a change of configuration
   * @param message the whole message, already masked
   */
  public GoogleApiException(int status, String reason, boolean retryable, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.reason = reason == null ? "" : reason;
    this.retryable = retryable;
  }

  /** The HTTP status, or -1. */
  public int status() {
    return status;
  }

  /** Google's error status or reason, or empty. */
  public String reason() {
    return reason;
  }

  /** Whether the failure is transient (retries ran out) rather than a configuration problem. */
  public boolean isRetryable() {
    return retryable;
  }
}
