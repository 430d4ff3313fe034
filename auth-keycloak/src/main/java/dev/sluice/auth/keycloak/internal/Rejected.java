package dev.sluice.auth.keycloak.internal;

/**
 * Thrown inside the validator when a token is refused. The message is the reason handed to {@link
 * dev.sluice.spi.AuthResult#rejected(String)} and logged: it never contains the token or any part
 * of it, nor attacker-chosen header values. No stack trace (it is control flow, not a bug).
 */
public final class Rejected extends Exception {
  private static final long serialVersionUID = 1L;

  public Rejected(String reason) {
    super(reason, null, false, false);
  }
}
