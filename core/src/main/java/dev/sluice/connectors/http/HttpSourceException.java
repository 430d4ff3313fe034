package dev.sluice.connectors.http;

import dev.sluice.SluiceException;

/**
 * A request of the http connector (or of {@link OAuthTokens}) failed. The message names the
 * request (method and URL, secrets masked), the status when there was an answer, and the first
 * bytes of the answer's body, masked; it never holds a secret.
 *
 * <p>Immutable.
 */
public class HttpSourceException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final String url;
  private final int status;

  /**
   * @param method the request's method
   * @param url the request's URL, already masked
   * @param status the answer's status, or -1 when there was none (I/O error, timeout)
   * @param message the whole message, already masked
   */
  public HttpSourceException(String method, String url, int status, String message, Throwable cause) {
    super(message, cause);
    this.method = method;
    this.url = url;
    this.status = status;
  }

  /** The failed request's method. */
  public String method() {
    return method;
  }

  /** The failed request's URL, secrets masked. */
  public String url() {
    return url;
  }

  /** The answer's status, or -1 when no answer came. */
  public int status() {
    return status;
  }
}
