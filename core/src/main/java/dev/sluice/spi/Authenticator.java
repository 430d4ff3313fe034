package dev.sluice.spi;

/**
 * Establishes who is calling the REST API (local users and API keys, Keycloak/OIDC bearer
 * tokens, ...). Authenticators are asked in order until one answers other than {@link
 * AuthResult#notApplicable()}.
 *
 * <p>Thread-safety: called concurrently for every request. Must never log or return the
 * credential it checked.
 */
public interface Authenticator {

  /**
   * Decides who made {@code request}, or that it carries no credential of this kind.
   *
   * @param request the request's method, path and headers, never null
   * @return never null
   */
  AuthResult authenticate(AuthRequest request);
}
