package dev.sluice.auth.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.auth.Principal;
import dev.sluice.auth.keycloak.internal.Http;
import dev.sluice.auth.keycloak.internal.KeySource;
import dev.sluice.auth.keycloak.internal.LogSafe;
import dev.sluice.auth.keycloak.internal.Rejected;
import dev.sluice.auth.keycloak.internal.TokenValidator;
import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Authenticates {@code Authorization: Bearer} tokens issued by a Keycloak realm or any OpenID
 * Connect provider, and maps the provider's roles and groups to Sluice roles.
 *
 * <ul>
 *   <li>No bearer token: {@link AuthResult#notApplicable()}. A JWT of another issuer: rejected, or
 *       not applicable with {@link OidcSettings#passOtherIssuers()}.
 *   <li>A JWT: validated locally against the issuer's JWKS (see {@link OidcSettings}); also
 *       introspected when {@link OidcSettings.Introspection#forJwts()}.
 *   <li>An opaque token: introspected (RFC 7662) when introspection is configured, else rejected.
 * </ul>
 *
 * <p>Every rejection is logged at INFO with its reason; no log line, reason or exception contains
 * the token. Nothing is fetched before the first token arrives (discovery and JWKS are lazy and
 * cached). Thread-safe: one instance serves all requests.
 */
public final class OidcAuthenticator implements Authenticator {
  private static final int MAX_RESPONSE_BYTES = 1024 * 1024;

  private final OidcSettings settings;
  private final Clock clock;
  private final Logger log;
  private final ObjectMapper mapper;
  private final Http http;
  private final KeySource keys;
  private final TokenValidator validator;

  /**
   * @param settings what to accept, never null
   * @param httpClient used for discovery, JWKS, introspection and the token endpoint; should not
   *     follow redirects; never null
   * @param mapper a JSON mapper, never null
   * @param clock the only source of time (token times, cache ages, rate limits), never null
   * @param log where rejections and key changes are reported, never null
   */
  public OidcAuthenticator(OidcSettings settings, HttpClient httpClient, ObjectMapper mapper, Clock clock, Logger log) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.log = Objects.requireNonNull(log, "log");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.http = new Http(Objects.requireNonNull(httpClient, "httpClient"), mapper, settings.httpTimeout(),
        MAX_RESPONSE_BYTES);
    this.keys = new KeySource(settings.issuer(), settings.discoveryUri(), http, clock,
        settings.jwksRefreshInterval(), settings.jwksCacheTime(), log);
    this.validator = new TokenValidator(settings.issuer(), settings.allowedAlgorithms(), settings.clockSkew(),
        settings.maxTokenBytes(), keys, clock, mapper, log);
    URI issuer = URI.create(settings.issuer());
    if ("http".equalsIgnoreCase(issuer.getScheme()) && !isLoopback(issuer.getHost())) {
      log.warn("issuer {} uses plain http: the signing keys are fetched unprotected; use https outside tests",
          settings.issuer());
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
  }

  /**
   * As the main constructor, with a new HttpClient that never follows redirects.
   *
   * @param settings the issuer's settings, never null
   * @param mapper parses provider JSON, never null
   * @param clock for token time checks, never null
   * @param log where rejections and provider problems are logged, never tokens
   * @return the authenticator
   */
  public static OidcAuthenticator create(OidcSettings settings, ObjectMapper mapper, Clock clock, Logger log) {
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(settings.httpTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    return new OidcAuthenticator(settings, client, mapper, clock, log);
  }

  /**
   * The settings this authenticator validates with.
   *
   * @return the settings
   */
  public OidcSettings settings() {
    return settings;
  }

  /**
   * How many times the JWKS was downloaded so far (rate-limit evidence; for metrics and tests).
   *
   * @return the count
   */
  public long jwksDownloads() {
    return keys.jwksDownloads();
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    Optional<String> token = request.bearerToken();
    if (token.isEmpty()) {
      return AuthResult.notApplicable();
    }
    return authenticateToken(token.get());
  }

  /**
   * Authenticates one bearer token (without the {@code Bearer } prefix). Never throws for bad
   * input: every failure is a rejected result with a reason that does not contain the token.
   *
   * @param token the bearer token, or null
   * @return authenticated, rejected, or not applicable for a JWT of another issuer when {@link
   *     OidcSettings#passOtherIssuers()} is set
   */
  public AuthResult authenticateToken(String token) {
    try {
      return AuthResult.authenticated(principalFor(token));
    } catch (Rejected r) {
      log.info("bearer token rejected: {}", r.getMessage());
      return AuthResult.rejected(r.getMessage());
    } catch (NotMine n) {
      log.debug("bearer token of another issuer; passing it on");
      return AuthResult.notApplicable();
    } catch (RuntimeException e) {
      // A bug or an unexpected library failure must not turn into a 500 with details, nor an accept.
      log.warn("bearer token rejected: unexpected {} while validating", e.getClass().getName());
      return AuthResult.rejected("token could not be validated");
    }
  }

  private Principal principalFor(String token) throws Rejected, NotMine {
    if (token == null || token.isEmpty()) {
      throw new Rejected("empty bearer token");
    }
    validator.checkSize(token);
    if (!TokenValidator.looksLikeJwt(token)) {
      if (settings.introspection().isPresent()) {
        return principal(introspect(token), "introspection");
      }
      throw new Rejected("malformed token: not a signed JWT, and introspection of opaque tokens is not configured");
    }
    if (settings.passOtherIssuers()) {
      Optional<String> iss = TokenValidator.unverifiedIssuer(token);
      if (iss.isPresent() && !iss.get().equals(settings.issuer())) {
        throw new NotMine();
      }
    }
    TokenValidator.Valid valid = validator.validate(token, settings.audiences(), settings.authorizedParties(), "Bearer");
    if (settings.introspection().map(OidcSettings.Introspection::forJwts).orElse(false)) {
      introspect(token);
    }
    return principal(valid.claims(), "jwt");
  }

  /** Validates an ID token for the browser login: audience is the client id, typ {@code ID}. */
  TokenValidator.Valid validateIdToken(String idToken, String clientId) throws Rejected {
    return validator.validate(idToken, Set.of(clientId), Set.of(), "ID");
  }

  /** The principal of an access token obtained by the browser login; rejects as {@link #authenticateToken}. */
  Principal principalForAccessToken(String token) throws Rejected {
    try {
      return principalFor(token);
    } catch (NotMine n) {
      throw new Rejected("wrong issuer");
    }
  }

  Http http() {
    return http;
  }

  Clock clock() {
    return clock;
  }

  Logger log() {
    return log;
  }

  URI authorizationEndpoint() throws IOException {
    URI u = keys.metadata().authorizationEndpoint();
    if (u == null) {
      throw new IOException("the discovery document of " + settings.issuer() + " has no authorization_endpoint");
    }
    return u;
  }

  URI tokenEndpoint() throws IOException {
    URI u = keys.metadata().tokenEndpoint();
    if (u == null) {
      throw new IOException("the discovery document of " + settings.issuer() + " has no token_endpoint");
    }
    return u;
  }

  private JsonNode introspect(String token) throws Rejected {
    OidcSettings.Introspection in = settings.introspection().orElseThrow();
    JsonNode answer;
    try {
      URI endpoint = in.endpoint() != null ? in.endpoint() : keys.metadata().introspectionEndpoint();
      if (endpoint == null) {
        throw new Rejected("introspection is configured but the issuer publishes no introspection_endpoint");
      }
      Http.Response r = http.postForm(endpoint, Map.of("token", token, "token_type_hint", "access_token"),
          in.clientId(), in.clientSecret());
      if (r.status != 200) {
        log.warn("token introspection at {} answered HTTP {} (check the introspection client's credentials)",
            endpoint, r.status);
        throw new Rejected("token introspection failed (HTTP " + r.status + ")");
      }
      answer = http.parse("POST", endpoint, r.body);
    } catch (IOException e) {
      log.warn("token introspection failed: {}", e.getMessage());
      throw new Rejected("token introspection failed");
    }
    if (!answer.path("active").asBoolean(false)) {
      throw new Rejected("token is not active (introspection)");
    }
    String iss = answer.path("iss").asText(null);
    if (iss != null && !iss.equals(settings.issuer())) {
      throw new Rejected("wrong issuer (introspection): iss is not " + settings.issuer());
    }
    long now = clock.instant().getEpochSecond();
    long skew = settings.clockSkew().toSeconds();
    if (answer.has("exp") && answer.path("exp").asLong() + skew < now) {
      throw new Rejected("token expired at " + Instant.ofEpochSecond(answer.path("exp").asLong()) + " (introspection)");
    }
    if (answer.has("nbf") && answer.path("nbf").asLong() - skew > now) {
      throw new Rejected("token not valid yet (introspection nbf)");
    }
    JsonNode aud = answer.get("aud");
    if (aud != null) {
      Set<String> auds = new LinkedHashSet<>();
      if (aud.isArray()) {
        aud.forEach(a -> auds.add(a.asText()));
      } else {
        auds.add(aud.asText());
      }
      if (auds.stream().noneMatch(settings.audiences()::contains)) {
        throw new Rejected("wrong audience (introspection): aud contains none of " + settings.audiences());
      }
    }
    return answer;
  }

  private Principal principal(JsonNode claims, String method) {
    String name = text(claims, settings.usernameClaim());
    if (name == null) {
      name = text(claims, "username");
    }
    if (name == null) {
      name = text(claims, "sub");
    }
    if (name == null) {
      name = "(unnamed)";
    }
    Set<String> roles = settings.roleMapping().rolesFor(claims, log);
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("authenticator", "oidc");
    attributes.put("method", method);
    attributes.put("issuer", settings.issuer());
    putIf(attributes, "subject", text(claims, "sub"));
    putIf(attributes, "email", text(claims, "email"));
    putIf(attributes, "client", text(claims, "azp") != null ? text(claims, "azp") : text(claims, "client_id"));
    log.debug("authenticated {} with roles {}", LogSafe.plain(name), roles);
    return new Principal(name, roles, attributes);
  }

  private static void putIf(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
  }

  /** A token of another issuer, with {@code passOtherIssuers}. */
  private static final class NotMine extends Exception {
    private static final long serialVersionUID = 1L;

    NotMine() {
      super(null, null, false, false);
    }
  }

  @Override
  public String toString() {
    return "OidcAuthenticator{" + settings.issuer() + "}";
  }
}
