package dev.sluice.spi;

import dev.sluice.auth.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * Outcome of {@link Authenticator#authenticate}: not applicable (no credentials of this kind:
 * the next authenticator is asked), authenticated, or rejected with a reason safe to log.
 */
public final class AuthResult {
  /** What the authenticator concluded. */
  public enum Status {
    /** No credential of this authenticator's kind: ask the next one. */
    NOT_APPLICABLE,
    /** The credential is valid; see {@link AuthResult#principal()}. */
    AUTHENTICATED,
    /** The credential is invalid; see {@link AuthResult#reason()}. */
    REJECTED
  }

  private static final AuthResult NOT_APPLICABLE = new AuthResult(Status.NOT_APPLICABLE, null, null);

  private final Status status;
  private final Principal principal;
  private final String reason;

  private AuthResult(Status status, Principal principal, String reason) {
    this.status = status;
    this.principal = principal;
    this.reason = reason;
  }

  /**
   * No credential of this kind.
   *
   * @return the shared not-applicable result
   */
  public static AuthResult notApplicable() {
    return NOT_APPLICABLE;
  }

  /**
   * A successful authentication.
   *
   * @param principal who is calling, never null
   * @return the result
   */
  public static AuthResult authenticated(Principal principal) {
    return new AuthResult(Status.AUTHENTICATED, Objects.requireNonNull(principal), null);
  }

  /**
   * A rejection.
   *
   * @param reason why, without the credential itself (e.g. "token expired"); never null
   * @return the result
   */
  public static AuthResult rejected(String reason) {
    return new AuthResult(Status.REJECTED, null, Objects.requireNonNull(reason));
  }

  /**
   * What the authenticator concluded.
   *
   * @return the status, never null
   */
  public Status status() {
    return status;
  }

  /**
   * Who is calling.
   *
   * @return the principal when {@link Status#AUTHENTICATED}, else empty
   */
  public Optional<Principal> principal() {
    return Optional.ofNullable(principal);
  }

  /**
   * Why the credential was rejected; safe to log.
   *
   * @return the reason when {@link Status#REJECTED}, else empty
   */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }
}
