package dev.sluice.auth.keycloak;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How an {@link OidcAuthenticator} validates bearer tokens of one issuer (a Keycloak realm or any
 * OpenID Connect provider). Built with {@link #builder(String)}; every setter checks its value and
 * names it when it rejects it.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the introspection secret.
 */
public final class OidcSettings {
  /** The algorithms accepted unless configured otherwise. */
  public static final Set<String> DEFAULT_ALGORITHMS = Set.of("RS256", "ES256", "PS256");
  /** Every algorithm that may be configured: asymmetric signatures only, never {@code none} or HMAC. */
  public static final Set<String> SUPPORTED_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  private final String issuer;
  private final Set<String> audiences;
  private final Set<String> authorizedParties;
  private final String clientId;
  private final Set<String> allowedAlgorithms;
  private final Duration clockSkew;
  private final int maxTokenBytes;
  private final Duration jwksRefreshInterval;
  private final Duration jwksCacheTime;
  private final Duration httpTimeout;
  private final RoleMapping roleMapping;
  private final String usernameClaim;
  private final boolean passOtherIssuers;
  private final Introspection introspection;

  private OidcSettings(Builder b) {
    this.issuer = b.issuer;
    this.audiences = Set.copyOf(b.audiences);
    this.authorizedParties = Set.copyOf(b.authorizedParties);
    this.clientId = b.clientId;
    this.allowedAlgorithms = Set.copyOf(b.allowedAlgorithms);
    this.clockSkew = b.clockSkew;
    this.maxTokenBytes = b.maxTokenBytes;
    this.jwksRefreshInterval = b.jwksRefreshInterval;
    this.jwksCacheTime = b.jwksCacheTime;
    this.httpTimeout = b.httpTimeout;
    this.roleMapping = b.roleMapping;
    this.usernameClaim = b.usernameClaim;
    this.passOtherIssuers = b.passOtherIssuers;
    this.introspection = b.introspection;
  }

  /**
   * A builder for the settings of one issuer.
   *
   * @param issuer the issuer exactly as it appears in tokens' {@code iss}, e.g. {@code
   *     https://sso.example.com/realms/acme}; discovery reads {@code {issuer}/.well-known/openid-configuration}
   * @return a new builder
   * @throws NullPointerException when {@code issuer} is null
   * @throws IllegalArgumentException when it is not an absolute http(s) URL without query, fragment
   *     or credentials
   */
  public static Builder builder(String issuer) {
    return new Builder(issuer);
  }

  /**
   * The issuer tokens must name in {@code iss}.
   *
   * @return the issuer, without a trailing slash
   */
  public String issuer() {
    return issuer;
  }

  /**
   * {@code {issuer}/.well-known/openid-configuration}.
   *
   * @return the URI of the discovery document
   */
  public URI discoveryUri() {
    return URI.create(issuer + "/.well-known/openid-configuration");
  }

  /**
   * A token's {@code aud} must contain at least one of these; never empty.
   *
   * @return the accepted audiences
   */
  public Set<String> audiences() {
    return audiences;
  }

  /**
   * When not empty, a token's {@code azp} must be one of these.
   *
   * @return the accepted authorized parties; empty for any
   */
  public Set<String> authorizedParties() {
    return authorizedParties;
  }

  /**
   * This application's client id at the provider (client roles, browser login), if set.
   *
   * @return the client id, or empty
   */
  public Optional<String> clientId() {
    return Optional.ofNullable(clientId);
  }

  /**
   * The accepted {@code alg} values of tokens.
   *
   * @return the algorithms, a non-empty subset of {@link #SUPPORTED_ALGORITHMS}
   */
  public Set<String> allowedAlgorithms() {
    return allowedAlgorithms;
  }

  /**
   * Leeway for {@code exp}, {@code nbf} and {@code iat}.
   *
   * @return the leeway, 0 to 5 minutes
   */
  public Duration clockSkew() {
    return clockSkew;
  }

  /**
   * Longer tokens are refused before they are parsed.
   *
   * @return the limit in bytes, 1 KiB to 1 MiB
   */
  public int maxTokenBytes() {
    return maxTokenBytes;
  }

  /**
   * The least time between two JWKS downloads caused by unknown key ids.
   *
   * @return the interval, 0 to 1 day
   */
  public Duration jwksRefreshInterval() {
    return jwksRefreshInterval;
  }

  /**
   * How long downloaded keys are used before they are downloaded again.
   *
   * @return the time, 1 second to 7 days
   */
  public Duration jwksCacheTime() {
    return jwksCacheTime;
  }

  /**
   * The timeout of each HTTP request to the provider.
   *
   * @return the timeout, 100 ms to 5 minutes
   */
  public Duration httpTimeout() {
    return httpTimeout;
  }

  /**
   * How a token's roles and groups become Sluice roles.
   *
   * @return the mapping, never null
   */
  public RoleMapping roleMapping() {
    return roleMapping;
  }

  /**
   * The claim used as the principal's name (falls back to {@code sub}).
   *
   * @return the claim name
   */
  public String usernameClaim() {
    return usernameClaim;
  }

  /**
   * When true, a well-formed JWT whose {@code iss} is another issuer is "not applicable" (the next
   * authenticator in the chain may know it) instead of rejected.
   *
   * @return whether tokens of other issuers are passed on
   */
  public boolean passOtherIssuers() {
    return passOtherIssuers;
  }

  /**
   * RFC 7662 token introspection, if configured.
   *
   * @return the introspection settings, or empty when off
   */
  public Optional<Introspection> introspection() {
    return Optional.ofNullable(introspection);
  }

  @Override
  public String toString() {
    return "OidcSettings{issuer=" + issuer + ", audiences=" + audiences + ", clientId=" + clientId
        + ", allowedAlgorithms=" + allowedAlgorithms + ", clockSkew=" + clockSkew + ", introspection="
        + (introspection == null ? "off" : "on") + "}";
  }

  /**
   * RFC 7662 token introspection with a confidential client's credentials. Opaque (non-JWT)
   * tokens are always introspected when this is set; JWTs too when {@code forJwts} is true (to see
   * revocations before the token expires, at the cost of one request per call).
   *
   * @param clientId the confidential client allowed to introspect, never null
   * @param clientSecret its secret, never null; never logged
   * @param endpoint the introspection endpoint, or null to use the discovery document's
   * @param forJwts also introspect JWTs after they validated locally
   */
  public record Introspection(String clientId, String clientSecret, URI endpoint, boolean forJwts) {
    /**
     * Checks the credentials; the message never contains the secret.
     *
     * @param clientId never null, not blank
     * @param clientSecret never null, not blank
     * @param endpoint or null to use the discovery document's
     * @param forJwts also introspect JWTs
     * @throws NullPointerException when {@code clientId} or {@code clientSecret} is null
     * @throws IllegalArgumentException when either is blank
     */
    public Introspection {
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(clientSecret, "clientSecret");
      if (clientId.isBlank()) {
        throw new IllegalArgumentException("introspection clientId must not be blank");
      }
      if (clientSecret.isBlank()) {
        throw new IllegalArgumentException("introspection clientSecret must not be blank (value hidden)");
      }
    }

    @Override
    public String toString() {
      return "Introspection{clientId=" + clientId + ", clientSecret=****, endpoint=" + endpoint + ", forJwts="
          + forJwts + "}";
    }
  }

  /** Collects settings; {@link #build()} checks that they fit together. Not thread-safe. */
  public static final class Builder {
    private final String issuer;
    private final Set<String> audiences = new LinkedHashSet<>();
    private final Set<String> authorizedParties = new LinkedHashSet<>();
    private String clientId;
    private Set<String> allowedAlgorithms = DEFAULT_ALGORITHMS;
    private Duration clockSkew = Duration.ofSeconds(30);
    private int maxTokenBytes = 16 * 1024;
    private Duration jwksRefreshInterval = Duration.ofSeconds(30);
    private Duration jwksCacheTime = Duration.ofMinutes(10);
    private Duration httpTimeout = Duration.ofSeconds(10);
    private RoleMapping roleMapping = RoleMapping.none();
    private String usernameClaim = "preferred_username";
    private boolean passOtherIssuers;
    private Introspection introspection;

    private Builder(String issuer) {
      Objects.requireNonNull(issuer, "issuer");
      String s = issuer.trim();
      URI u;
      try {
        u = URI.create(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("issuer must be an absolute http(s) URL, got \"" + issuer + "\"");
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("https") || scheme.equals("http")) || u.getHost() == null || u.getRawQuery() != null
          || u.getRawFragment() != null || u.getRawUserInfo() != null) {
        throw new IllegalArgumentException("issuer must be an absolute http(s) URL without query, fragment or"
            + " credentials, got \"" + issuer + "\"");
      }
      this.issuer = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Adds accepted audiences ({@code aud} values). At least one is required.
     *
     * @param values the audiences, none blank
     * @return this builder
     * @throws IllegalArgumentException when one is null or blank
     */
    public Builder audience(String... values) {
      for (String v : values) {
        audiences.add(nonBlank(v, "audience"));
      }
      return this;
    }

    /**
     * Adds accepted authorized parties ({@code azp}); none means any.
     *
     * @param values the parties, none blank
     * @return this builder
     * @throws IllegalArgumentException when one is null or blank
     */
    public Builder authorizedParty(String... values) {
      for (String v : values) {
        authorizedParties.add(nonBlank(v, "authorizedParty"));
      }
      return this;
    }

    /**
     * This application's client id at the provider, for client roles and browser login.
     *
     * @param value the client id, or null for none; not blank
     * @return this builder
     * @throws IllegalArgumentException when it is blank
     */
    public Builder clientId(String value) {
      this.clientId = value == null ? null : nonBlank(value, "clientId");
      return this;
    }

    /**
     * The accepted {@code alg} values; each must be one of {@link #SUPPORTED_ALGORITHMS}.
     *
     * @param values not empty
     * @return this builder
     * @throws IllegalArgumentException when it is empty or names an unsupported algorithm
     */
    public Builder allowedAlgorithms(List<String> values) {
      Set<String> out = new LinkedHashSet<>();
      for (String v : values) {
        String a = v == null ? "" : v.trim();
        if (!SUPPORTED_ALGORITHMS.contains(a)) {
          throw new IllegalArgumentException("allowedAlgorithms: \"" + v + "\" is not allowed; use asymmetric"
              + " algorithms from " + new java.util.TreeSet<>(SUPPORTED_ALGORITHMS)
              + " ('none' and HMAC are never accepted for provider tokens)");
        }
        out.add(a);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("allowedAlgorithms must not be empty");
      }
      this.allowedAlgorithms = out;
      return this;
    }

    /**
     * Leeway for time claims, 0 to 5 minutes.
     *
     * @param value 0 to 5 minutes
     * @return this builder
     * @throws IllegalArgumentException when it is null or out of range
     */
    public Builder clockSkew(Duration value) {
      if (value == null || value.isNegative() || value.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("clockSkew must be between 0s and 5m, got " + value);
      }
      this.clockSkew = value;
      return this;
    }

    /**
     * Size limit of a token, 1 KiB to 1 MiB.
     *
     * @param value 1024 to 1048576
     * @return this builder
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder maxTokenBytes(int value) {
      if (value < 1024 || value > 1024 * 1024) {
        throw new IllegalArgumentException("maxTokenBytes must be between 1024 and 1048576, got " + value);
      }
      this.maxTokenBytes = value;
      return this;
    }

    /**
     * The least time between two JWKS downloads caused by unknown key ids.
     *
     * @param value 0 to 1 day (default 30 seconds)
     * @return this builder
     * @throws IllegalArgumentException when it is null or out of range
     */
    public Builder jwksRefreshInterval(Duration value) {
      if (value == null || value.isNegative() || value.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("jwksRefreshInterval must be between 0s and 1d, got " + value);
      }
      this.jwksRefreshInterval = value;
      return this;
    }

    /**
     * How long downloaded keys are used before they are downloaded again.
     *
     * @param value 1 second to 7 days (default 10 minutes)
     * @return this builder
     * @throws IllegalArgumentException when it is null or out of range
     */
    public Builder jwksCacheTime(Duration value) {
      if (value == null || value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("jwksCacheTime must be between 1s and 7d, got " + value);
      }
      this.jwksCacheTime = value;
      return this;
    }

    /**
     * The timeout of each HTTP request to the provider.
     *
     * @param value 100 ms to 5 minutes (default 10 seconds)
     * @return this builder
     * @throws IllegalArgumentException when it is null or out of range
     */
    public Builder httpTimeout(Duration value) {
      if (value == null || value.compareTo(Duration.ofMillis(100)) < 0 || value.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("httpTimeout must be between 100ms and 5m, got " + value);
      }
      this.httpTimeout = value;
      return this;
    }

    /**
     * How a token's roles and groups become Sluice roles.
     *
     * @param value never null (default: {@link RoleMapping#none()})
     * @return this builder
     */
    public Builder roleMapping(RoleMapping value) {
      this.roleMapping = Objects.requireNonNull(value, "roleMapping");
      return this;
    }

    /**
     * The claim used as the principal's name; tokens without it fall back to {@code sub}.
     *
     * @param value the claim name, not blank (default {@code preferred_username})
     * @return this builder
     * @throws IllegalArgumentException when it is null or blank
     */
    public Builder usernameClaim(String value) {
      this.usernameClaim = nonBlank(value, "usernameClaim");
      return this;
    }

    /**
     * Whether well-formed JWTs of other issuers are "not applicable" instead of rejected.
     *
     * @param value see {@link OidcSettings#passOtherIssuers()} (default false)
     * @return this builder
     */
    public Builder passOtherIssuers(boolean value) {
      this.passOtherIssuers = value;
      return this;
    }

    /**
     * Turns on introspection; null turns it off.
     *
     * @param value the introspection settings, or null
     * @return this builder
     */
    public Builder introspection(Introspection value) {
      this.introspection = value;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     * @throws IllegalArgumentException when no audience was added
     */
    public OidcSettings build() {
      if (audiences.isEmpty()) {
        throw new IllegalArgumentException("audience is required: the value(s) of 'aud' Sluice accepts (for Keycloak,"
            + " add an audience mapper to the client that requests tokens)");
      }
      return new OidcSettings(this);
    }

    private static String nonBlank(String v, String what) {
      if (v == null || v.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank, got \"" + v + "\"");
      }
      return v.trim();
    }
  }
}
