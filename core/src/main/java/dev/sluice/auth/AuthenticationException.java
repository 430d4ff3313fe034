package dev.sluice.auth;

import dev.sluice.SluiceException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A login, refresh or password change of {@link LocalAuth} failed. The message is safe to show
 * the caller: it never says whether a user exists, and never contains a password or token. REST
 * servers answer 401 (429 with {@code Retry-After} for {@link Reason#LOCKED_OUT}).
 */
public class AuthenticationException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /** Why it failed. */
  public enum Reason {
    /** Unknown user, wrong password or disabled user: deliberately not told apart. */
    INVALID_CREDENTIALS,
    /** Too many failed logins of this user or from this address; see {@link #retryAfter()}. */
    LOCKED_OUT,
    /** A refresh token that is unknown, expired, revoked or malformed. */
    INVALID_TOKEN,
    /** A refresh token used a second time: its whole family was revoked. */
    TOKEN_REUSED
  }

  /** Why it failed, never null. */
  private final Reason reason;
  private final transient Instant retryAfter;

  /**
   * Creates the exception.
   *
   * @param reason why it failed, never null
   * @param message safe to show the caller
   * @param retryAfter for {@link Reason#LOCKED_OUT}: when logins are accepted again; else null
   */
  public AuthenticationException(Reason reason, String message, Instant retryAfter) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.retryAfter = retryAfter;
  }

  /**
   * Why it failed.
   *
   * @return the reason, never null
   */
  public Reason reason() {
    return reason;
  }

  /**
   * For {@link Reason#LOCKED_OUT}: when logins are accepted again.
   *
   * @return the instant, or empty when not known or not locked out
   */
  public Optional<Instant> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
