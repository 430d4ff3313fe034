package dev.sluice.auth.keycloak;

import dev.sluice.SluiceException;

/**
 * A failure talking to the identity provider or completing a browser login: discovery failed, the
 * token endpoint refused a code, the callback's {@code state} did not match. The message says what
 * failed and where; it never contains a token, a code, a client secret or a PKCE verifier.
 */
public class OidcException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed, without secrets */
  public OidcException(String message) {
    super(message);
  }

  /**
   * @param message what failed, without secrets
   * @param cause the underlying failure (its message must not hold secrets either)
   */
  public OidcException(String message, Throwable cause) {
    super(message, cause);
  }
}
