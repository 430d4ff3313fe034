/**
 * Keycloak / OpenID Connect bearer-token authentication for Sluice: {@link
 * dev.sluice.auth.keycloak.OidcAuthenticator} (JWT validation against the issuer's JWKS, optional
 * RFC 7662 introspection), {@link dev.sluice.auth.keycloak.RoleMapping} (realm roles, client roles
 * and groups to Sluice roles), {@link dev.sluice.auth.keycloak.AuthorizationCodeFlow} (browser login
 * with PKCE) and the {@code keycloak}/{@code oidc} {@link dev.sluice.spi.AuthenticatorProvider}s.
 * Everything in {@code internal} is implementation, not API.
 */
package dev.sluice.auth.keycloak;
