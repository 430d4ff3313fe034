package dev.sluice.auth.keycloak.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;

/**
 * The parts of an OpenID Provider's discovery document Sluice uses. Endpoints other than the JWKS
 * may be null when the provider does not publish them.
 */
public record ProviderMetadata(String issuer, URI jwksUri, URI authorizationEndpoint, URI tokenEndpoint,
    URI introspectionEndpoint, URI revocationEndpoint) {

  /**
   * Reads a discovery document, requiring its {@code issuer} to equal the configured one exactly
   * (OpenID Connect Discovery section 4.3).
   */
  public static ProviderMetadata from(JsonNode doc, String expectedIssuer, URI where) throws IOException {
    String issuer = text(doc, "issuer");
    if (!expectedIssuer.equals(issuer)) {
      throw new IOException("discovery document " + where + " names issuer " + LogSafe.plain(issuer)
          + ", not the configured " + expectedIssuer);
    }
    URI jwks = uri(doc, "jwks_uri", where);
    if (jwks == null) {
      throw new IOException("discovery document " + where + " has no jwks_uri");
    }
    return new ProviderMetadata(issuer, jwks, uri(doc, "authorization_endpoint", where),
        uri(doc, "token_endpoint", where), uri(doc, "introspection_endpoint", where),
        uri(doc, "revocation_endpoint", where));
  }

  private static String text(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static URI uri(JsonNode doc, String field, URI where) throws IOException {
    String s = text(doc, field);
    if (s == null) {
      return null;
    }
    try {
      URI u = URI.create(s);
      String scheme = u.getScheme();
      if (u.getHost() == null || !("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
        throw new IllegalArgumentException();
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new IOException("discovery document " + where + ": " + field + " is not an absolute http(s) URL");
    }
  }
}
