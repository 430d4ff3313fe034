package dev.sluice.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Failed logins counted against one subject (a user name or a client address), for throttling.
 *
 * <p>Immutable.
 *
 * @param subject what was counted, e.g. {@code user:alice} or {@code address:192.0.2.7}; 1-300
 *     characters, never null
 * @param failures failed attempts in the current window, at least 1
 * @param firstFailureAt when the current window began, never null
 * @param lockedUntil until when logins of this subject are refused; null when not locked
 */
public record LoginFailures(String subject, int failures, Instant firstFailureAt, Instant lockedUntil) {
  /**
   * Checks the components.
   *
   * @param subject what was counted, 1-300 characters
   * @param failures at least 1
   * @param firstFailureAt never null
   * @param lockedUntil null when not locked
   * @throws NullPointerException when a required component is null
   * @throws IllegalArgumentException when {@code subject} or {@code failures} is out of range
   */
  public LoginFailures {
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty() || subject.length() > 300) {
      throw new IllegalArgumentException("a login-failure subject is 1-300 characters, got " + subject.length());
    }
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be at least 1, got " + failures);
    }
    Objects.requireNonNull(firstFailureAt, "firstFailureAt");
  }

  /**
   * Whether logins of this subject are refused at {@code now}.
   *
   * @param now the current time
   * @return whether it is locked: {@code now} is before {@code lockedUntil}
   */
  public boolean lockedAt(Instant now) {
    return lockedUntil != null && now.isBefore(lockedUntil);
  }
}
