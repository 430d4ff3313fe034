package dev.sluice.connectors.hubspot;

import dev.sluice.SluiceException;

/**
 * HubSpot refused a request for good, or kept refusing it after every retry: bad or expired
 * credentials, a missing scope, an unknown object type or property, an exhausted daily limit.
 *
 * <p>The message names the request (method and path, never a token), HubSpot's status, {@code
 * category} and {@code message}, and what to fix. {@link #retryable()} says whether a later run may
 * succeed without changing anything (rate limits, outages) or the configuration or the HubSpot app
 * must change first.
 *
 * <p>Immutable and thread-safe. Nullability: {@link #category()} is empty when HubSpot sent none.
 */
public class HubSpotException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /** @serial the HTTP status of the last answer, or -1 */
  private final int status;
  /** @serial HubSpot's error category, or "" */
  private final String category;
  /** @serial whether a later run may succeed unchanged */
  private final boolean retryable;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do, without secrets
   * @param status the HTTP status, or -1 when no answer came
   * @param category HubSpot's {@code category} (e.g. {@code MISSING_SCOPES}), or null
   * @param retryable whether a later run may succeed unchanged
   */
  public HubSpotException(String message, int status, String category, boolean retryable) {
    super(message);
    this.status = status;
    this.category = category == null ? "" : category;
    this.retryable = retryable;
  }

  /**
   * The HTTP status of the last answer, or -1 when HubSpot could not be reached.
   *
   * @return the status, or -1
   */
  public int status() {
    return status;
  }

  /**
   * HubSpot's error category ({@code VALIDATION_ERROR}, {@code MISSING_SCOPES}, ...), or "".
   *
   * @return the category, never null
   */
  public String category() {
    return category;
  }

  /**
   * True for rate limits and outages that outlasted the retries; false for what must be fixed.
   *
   * @return whether retrying later may help
   */
  public boolean retryable() {
    return retryable;
  }
}
