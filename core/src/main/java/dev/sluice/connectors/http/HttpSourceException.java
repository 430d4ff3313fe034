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

  /** @serial the request's method */
  private final String method;
  /** @serial the request's URL, secrets masked */
  private final String url;
  /** @serial the answer's status, or -1 */
  private final int status;

  /**
   * Creates the exception.
   *
   * @param method the request's method
   * @param url the request's URL, already masked
   * @param status the answer's status, or -1 when there was none (I/O error, timeout)
   * @param message the whole message, already masked
   * @param cause the underlying failure, or null
   */
  public HttpSourceException(String method, String url, int status, String message, Throwable cause) {
    super(message, cause);
    this.method = method;
    this.url = url;
    this.status = status;
  }

  /**
   * The failed request's method.
   *
   * @return e.g. {@code GET}
   */
  public String method() {
    return method;
  }

  /**
   * The failed request's URL, secrets masked.
   *
   * @return the masked URL
   */
  public String url() {
    return url;
  }

  /**
   * The answer's status, or -1 when no answer came.
   *
   * @return the HTTP status, or -1
   */
  public int status() {
    return status;
  }
}
