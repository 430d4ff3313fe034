package dev.sluice;

/**
 * Root of every exception Sluice throws on purpose.
 *
 * <p>Subclasses live in the package that throws them and say what failed, where (pipeline,
 * destination, record key, file and line) and, when there is one, what to do about it. Messages
 * never contain secret values.
 *
 * <p>Unchecked, so that callers of the fluent API are not forced into empty catch blocks; catch it
 * where you can act on it.
 */
public class SluiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, where, and what to do about it; never a secret
   */
  public SluiceException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what failed, where, and what to do about it; never a secret
   * @param cause the underlying failure
   */
  public SluiceException(String message, Throwable cause) {
    super(message, cause);
  }
}
