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

  private final Reason reason;
  private final transient Instant retryAfter;

  public AuthenticationException(Reason reason, String message, Instant retryAfter) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.retryAfter = retryAfter;
  }

  public Reason reason() {
    return reason;
  }

  /** For {@link Reason#LOCKED_OUT}: when logins are accepted again. */
  public Optional<Instant> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
