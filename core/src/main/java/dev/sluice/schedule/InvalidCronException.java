package dev.sluice.schedule;

import dev.sluice.SluiceException;

/** A cron expression can't be parsed; the message names the expression, its syntax and why. */
public class InvalidCronException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the expression, its syntax and what is wrong
   * @param cause the parser's exception, or null
   */
  public InvalidCronException(String message, Throwable cause) {
    super(message, cause);
  }
}
