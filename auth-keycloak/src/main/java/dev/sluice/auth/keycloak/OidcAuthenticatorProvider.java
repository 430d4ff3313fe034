package dev.sluice.auth.keycloak;

/**
 * The {@code oidc} authenticator: the same as {@link KeycloakAuthenticatorProvider} under a name
 * that fits providers other than Keycloak (any OpenID Connect provider with discovery and a JWKS).
 * The Keycloak-specific claims ({@code realm_access}, {@code resource_access}) simply don't occur
 * in other providers' tokens; the {@code groups} mapping works wherever a {@code groups} claim does.
 *
 * <p>Registered in {@code META-INF/services/dev.sluice.spi.AuthenticatorProvider}. Stateless and
 * thread-safe; no I/O in the constructor or in {@code create}.
 */
public final class OidcAuthenticatorProvider extends KeycloakAuthenticatorProvider {

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public OidcAuthenticatorProvider() {}

  @Override
  public String type() {
    return "oidc";
  }

  @Override
  protected String defaultLabel() {
    return "OpenID Connect";
  }

  @Override
  public String description() {
    return "OpenID Connect bearer tokens (discovery, JWKS, introspection) with role mapping";
  }
}
