package dev.sluice.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of a {@link ConnectionCheck}: whether the remote side could be reached, a message for
 * people, and a few safe facts (host, bucket, account) as details.
 *
 * <p>Immutable and thread-safe. The message and details never hold secrets (see {@link
 * ConnectionCheck}).
 *
 * @param status the outcome, never null
 * @param message what was checked and, on failure, what failed and where; never null or blank
 * @param details safe facts such as {@code host} or {@code bucket}, in insertion order; never null
 */
public record ConnectionCheckResult(Status status, String message, Map<String, String> details) {

  /** The outcome of a check. */
  public enum Status {
    /** The remote side answered and accepted the configuration. */
    OK,
    /** The remote side could not be reached, or refused the configuration. */
    FAILED,
    /** The plugin offers no check (it does not implement {@link ConnectionCheck}). */
    UNSUPPORTED
  }

  /**
   * Checks and copies the values.
   *
   * @param status the outcome, never null
   * @param message never null or blank
   * @param details safe facts; null is taken as none; null keys or values are refused
   * @throws NullPointerException when {@code status} or {@code message} is null, or a detail's
   *     key or value is null
   * @throws IllegalArgumentException when {@code message} is blank
   */
  public ConnectionCheckResult {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    if (message.isBlank()) {
      throw new IllegalArgumentException("message: must say what was checked, got a blank message");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    if (details != null) {
      details.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "detail key"),
          Objects.requireNonNull(v, () -> "detail '" + k + "'")));
    }
    details = Collections.unmodifiableMap(copy);
  }

  /**
   * The remote side answered.
   *
   * @param message what was checked, e.g. {@code "bucket 'reports' at http://127.0.0.1:9000 is reachable"}
   * @param details safe facts, or null
   * @return the result
   */
  public static ConnectionCheckResult ok(String message, Map<String, String> details) {
    return new ConnectionCheckResult(Status.OK, message, details);
  }

  /**
   * The remote side answered; no details.
   *
   * @param message what was checked
   * @return the result
   */
  public static ConnectionCheckResult ok(String message) {
    return ok(message, null);
  }

  /**
   * The remote side could not be reached or refused the configuration.
   *
   * @param message what failed and where, without secrets
   * @param details safe facts, or null
   * @return the result
   */
  public static ConnectionCheckResult failed(String message, Map<String, String> details) {
    return new ConnectionCheckResult(Status.FAILED, message, details);
  }

  /**
   * The remote side could not be reached or refused the configuration; no details.
   *
   * @param message what failed and where, without secrets
   * @return the result
   */
  public static ConnectionCheckResult failed(String message) {
    return failed(message, null);
  }

  /**
   * The plugin offers no check.
   *
   * @param message which plugin, e.g. {@code "destination 'audit' (type log) offers no connection check"}
   * @return the result
   */
  public static ConnectionCheckResult unsupported(String message) {
    return new ConnectionCheckResult(Status.UNSUPPORTED, message, null);
  }

  /**
   * Whether the check passed.
   *
   * @return true when {@link #status()} is {@link Status#OK}
   */
  public boolean isOk() {
    return status == Status.OK;
  }
}
