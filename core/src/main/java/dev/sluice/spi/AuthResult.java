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
    NOT_APPLICABLE,
    AUTHENTICATED,
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

  public static AuthResult notApplicable() {
    return NOT_APPLICABLE;
  }

  public static AuthResult authenticated(Principal principal) {
    return new AuthResult(Status.AUTHENTICATED, Objects.requireNonNull(principal), null);
  }

  /** @param reason why, without the credential itself (e.g. "token expired") */
  public static AuthResult rejected(String reason) {
    return new AuthResult(Status.REJECTED, null, Objects.requireNonNull(reason));
  }

  public Status status() {
    return status;
  }

  public Optional<Principal> principal() {
    return Optional.ofNullable(principal);
  }

  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }
}
