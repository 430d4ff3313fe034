package dev.sluice.routing;

import dev.sluice.SluiceException;

/** A condition or transformation failed on a record at runtime (type mismatch, bad date, ...). */
public class RoutingException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   */
  public RoutingException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what failed and on which value
   * @param cause the underlying failure
   */
  public RoutingException(String message, Throwable cause) {
    super(message, cause);
  }
}
