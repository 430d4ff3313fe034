package dev.sluice.internal.engine;

import dev.sluice.delivery.DeliverySettings;
import dev.sluice.spi.DeliveryException;
import java.io.UncheckedIOException;

/**
 * How the engine treats an exception a destination should not have thrown (see docs/user-guide/delivery.md,
 * "Unexpected exceptions"). A destination says what went wrong with a {@link DeliveryException}
 * (retryable or permanent), a checked exception ({@code IOException}, {@code SQLException}: an
 * outage, retryable) or an {@link UncheckedIOException} (the same, unchecked). Any other {@link
 * RuntimeException} ({@code NullPointerException}, {@code ClassCastException}, {@code
 * IllegalStateException}, ...) is a bug in the destination, typically on a record it did not expect:
 * it is tried once more (the fault may have been a race), logged with its stack trace, not counted
 * as an outage by the circuit breaker, and then fails the records permanently, so they become dead
 * letters whose reason names the exception class and where it was thrown.
 *
 * <p>Stateless. Not API.
 */
final class DestinationBugs {
  /** Attempts for a batch whose delivery threw a bug: the first and one more. */
  static final int ATTEMPTS = 2;

  private DestinationBugs() {}

  /** Whether {@code e}, thrown by a destination's {@code deliver}, is a bug in the destination. */
  static boolean isBug(Exception e) {
    return e instanceof RuntimeException && !(e instanceof DeliveryException) && !(e instanceof UncheckedIOException);
  }

  /** Whether to try again after a bug showed in {@code attempt}. */
  static boolean retry(int attempt, DeliverySettings settings) {
    return attempt < Math.min(ATTEMPTS, settings.maxAttempts());
  }

  /** The failure reason: the exception class, its message and the frame that threw it. */
  static String reason(String destination, Exception e) {
    StackTraceElement[] trace = e.getStackTrace();
    return "bug in destination '" + destination + "': " + e.getClass().getName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage())
        + (trace.length == 0 ? "" : " (at " + trace[0] + ")");
  }
}
