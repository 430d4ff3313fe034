package dev.sluice.routing;

import dev.sluice.SluiceException;

/** A condition or transformation failed on a record at runtime (type mismatch, bad date, ...). */
public class RoutingException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public RoutingException(String message) {
    super(message);
  }

  public RoutingException(String message, Throwable cause) {
    super(message, cause);
  }
}
