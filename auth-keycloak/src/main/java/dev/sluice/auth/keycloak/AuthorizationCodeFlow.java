package dev.sluice.auth.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.BrowserLogin;
import dev.sluice.auth.Principal;
import dev.sluice.auth.keycloak.internal.Http;
import dev.sluice.auth.keycloak.internal.LogSafe;
import dev.sluice.auth.keycloak.internal.Rejected;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Browser login for the dashboard: the OAuth 2.0 authorization code flow with PKCE ({@code S256})
 * against the provider of an {@link OidcAuthenticator}.
 *
 * <ol>
 *   <li>{@link #begin(URI)} makes a fresh {@code state}, {@code nonce} and PKCE verifier and the URL
 *       to redirect the browser to. The caller keeps the returned {@link Pending} (e.g. in a
 *       server-side session or an encrypted cookie) until the browser comes back.
 *   <li>{@link #complete(Pending, Map)} takes the callback's query parameters: it checks {@code
 *       state} (constant time) and {@code iss} (RFC 9207, when present), exchanges the code with the
 *       verifier at the token endpoint, validates the ID token (signature, {@code aud} = client id,
 *       {@code nonce}) and the access token exactly as bearer tokens are validated, and returns the
 *       principal and tokens.
 * </ol>
 *
 * <p>Thread-safe and stateless apart from the authenticator's caches. Errors are {@link
 * OidcException}s whose messages never contain codes, tokens, verifiers or the client secret.
 */
public final class AuthorizationCodeFlow {
  /** How long a login may take between {@link #begin} and {@link #complete}. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final OidcAuthenticator authenticator;
  private final String clientId;
  private final String clientSecret;
  private final List<String> scopes;
  private final Duration maxAge;

  /**
   * A flow that allows {@link #DEFAULT_MAX_AGE} for a login.
   *
   * @param authenticator validates the tokens and knows the provider's endpoints, never null
   * @param clientId the dashboard's client at the provider, never null
   * @param clientSecret the client's secret for a confidential client, or null for a public one
   * @param scopes extra scopes besides {@code openid}, never null
   */
  public AuthorizationCodeFlow(OidcAuthenticator authenticator, String clientId, String clientSecret, List<String> scopes) {
    this(authenticator, clientId, clientSecret, scopes, DEFAULT_MAX_AGE);
  }

  /**
   * A flow with the time a login may take.
   *
   * @param authenticator validates the tokens and knows the provider's endpoints, never null
   * @param clientId the dashboard's client at the provider, never null
   * @param clientSecret the client's secret for a confidential client, or null for a public one
   * @param scopes extra scopes besides {@code openid}, never null
   * @param maxAge how long after {@link #begin} the callback is accepted, never null
   * @throws IllegalArgumentException when a scope has characters RFC 6749 does not allow
   */
  public AuthorizationCodeFlow(OidcAuthenticator authenticator, String clientId, String clientSecret,
      List<String> scopes, Duration maxAge) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.clientSecret = clientSecret;
    this.scopes = List.copyOf(scopes);
    this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
    for (String s : this.scopes) {
      if (!s.matches("[\\x21\\x23-\\x5B\\x5D-\\x7E]+")) {
        throw new IllegalArgumentException("scope \"" + s + "\" has characters RFC 6749 does not allow");
      }
    }
  }

  /**
   * Starts a login.
   *
   * @param redirectUri where the provider sends the browser back; must be registered at the client
   * @return the URL to send the browser to and the values to keep until it returns
   * @throws OidcException when the provider's discovery document can't be read
   */
  public Pending begin(URI redirectUri) {
    Objects.requireNonNull(redirectUri, "redirectUri");
    URI endpoint;
    try {
      endpoint = authenticator.authorizationEndpoint();
    } catch (IOException e) {
      throw new OidcException("cannot start a login at " + authenticator.settings().issuer() + ": " + e.getMessage(), e);
    }
    String state = random(32);
    String nonce = random(32);
    String verifier = random(48); // 64 characters, within RFC 7636's 43..128
    Map<String, String> q = new LinkedHashMap<>();
    q.put("response_type", "code");
    q.put("client_id", clientId);
    q.put("redirect_uri", redirectUri.toString());
    StringJoiner scope = new StringJoiner(" ");
    scope.add("openid");
    scopes.stream().filter(s -> !s.equals("openid")).forEach(scope::add);
    q.put("scope", scope.toString());
    q.put("state", state);
    q.put("nonce", nonce);
    q.put("code_challenge", challenge(verifier));
    q.put("code_challenge_method", "S256");
    String base = endpoint.toString();
    URI uri = URI.create(base + (base.contains("?") ? "&" : "?") + form(q));
    return new Pending(uri, redirectUri, state, nonce, verifier, authenticator.clock().instant());
  }

  /**
   * Finishes a login from the callback's query parameters.
   *
   * @param pending what {@link #begin} returned for this browser, never null
   * @param callback the callback's query parameters ({@code code}, {@code state}, maybe {@code
   *     iss}, or {@code error}), never null
   * @return the validated login
   * @throws OidcException when the provider reported an error, the state or issuer does not match,
   *     the login took too long, the code exchange failed or a token does not validate
   */
  public Login complete(Pending pending, Map<String, String> callback) {
    Objects.requireNonNull(pending, "pending");
    Objects.requireNonNull(callback, "callback");
    String issuer = authenticator.settings().issuer();
    if (callback.get("error") != null) {
      throw new OidcException("login failed at " + issuer + ": " + LogSafe.plain(callback.get("error")));
    }
    String state = callback.get("state");
    if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
        pending.state().getBytes(StandardCharsets.UTF_8))) {
      throw new OidcException("login callback rejected: state does not match the login this browser started");
    }
    if (callback.get("iss") != null && !issuer.equals(callback.get("iss"))) {
      throw new OidcException("login callback rejected: iss is not " + issuer);
    }
    if (authenticator.clock().instant().isAfter(pending.startedAt().plus(maxAge))) {
      throw new OidcException("login callback rejected: the login started more than " + maxAge + " ago");
    }
    String code = callback.get("code");
    if (code == null || code.isEmpty() || code.length() > 4096) {
      throw new OidcException("login callback rejected: no usable code");
    }
    JsonNode answer;
    try {
      URI tokenEndpoint = authenticator.tokenEndpoint();
      Map<String, String> form = new LinkedHashMap<>();
      form.put("grant_type", "authorization_code");
      form.put("code", code);
      form.put("redirect_uri", pending.redirectUri().toString());
      form.put("code_verifier", pending.codeVerifier());
      form.put("client_id", clientId);
      Http http = authenticator.http();
      Http.Response r = clientSecret == null
          ? http.postForm(tokenEndpoint, form, null, null)
          : http.postForm(tokenEndpoint, form, clientId, clientSecret);
      answer = http.parse("POST", tokenEndpoint, r.body);
      if (r.status != 200) {
        throw new OidcException("the token endpoint " + tokenEndpoint + " refused the code: HTTP " + r.status + " "
            + LogSafe.plain(answer.path("error").asText(null)));
      }
    } catch (IOException e) {
      throw new OidcException("code exchange at " + issuer + " failed: " + e.getMessage(), e);
    }
    String accessToken = answer.path("access_token").asText(null);
    String idToken = answer.path("id_token").asText(null);
    if (accessToken == null || idToken == null) {
      throw new OidcException("the token endpoint of " + issuer + " returned no access_token or no id_token");
    }
    try {
      JsonNode id = authenticator.validateIdToken(idToken, clientId).claims();
      String nonce = id.path("nonce").asText("");
      if (!MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), pending.nonce().getBytes(StandardCharsets.UTF_8))) {
        throw new Rejected("ID token nonce does not match the login");
      }
      Principal principal = authenticator.principalForAccessToken(accessToken);
      long expiresIn = answer.path("expires_in").asLong(0);
      Instant expiresAt = expiresIn > 0 ? authenticator.clock().instant().plusSeconds(expiresIn) : null;
      return new Login(principal, accessToken, idToken, answer.path("refresh_token").asText(null), expiresAt);
    } catch (Rejected r) {
      authenticator.log().info("browser login rejected: {}", r.getMessage());
      throw new OidcException("login rejected: " + r.getMessage());
    }
  }

  /**
   * This flow as core's {@link BrowserLogin}, for the REST server's "Sign in with …" button. The
   * server keeps the {@link Pending} (as {@link BrowserLogin.Started#pending()}) and hands it back;
   * failures become {@link AuthenticationException}s ({@link
   * AuthenticationException.Reason#INVALID_CREDENTIALS} when the provider or its tokens refused the
   * login, {@link AuthenticationException.Reason#INVALID_TOKEN} when the callback does not belong to
   * the login) whose messages are those of {@link OidcException}: no codes, tokens or secrets.
   *
   * @param id the login's URL-safe name, e.g. {@code keycloak}; must match {@link BrowserLogin#ID}
   * @param label what the button names, e.g. {@code Keycloak}; 1 to 64 characters
   * @return a thread-safe, stateless browser login backed by this flow
   * @throws IllegalArgumentException when {@code id} or {@code label} is not as above
   */
  public BrowserLogin asBrowserLogin(String id, String label) {
    if (id == null || !BrowserLogin.ID.matcher(id).matches()) {
      throw new IllegalArgumentException("browser login id must be 1-32 of a-z, 0-9, '-' (not first), got '" + id + "'");
    }
    if (label == null || label.isBlank() || label.length() > 64) {
      throw new IllegalArgumentException("browser login label must have 1 to 64 characters, got '" + label + "'");
    }
    AuthorizationCodeFlow flow = this;
    return new BrowserLogin() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String label() {
        return label;
      }

      @Override
      public Started begin(URI redirectUri) {
        try {
          Pending p = flow.begin(redirectUri);
          return new Started(p.authorizationUri(), p.state(), p);
        } catch (OidcException e) {
          throw new AuthenticationException(AuthenticationException.Reason.INVALID_CREDENTIALS, e.getMessage(), null);
        }
      }

      @Override
      public Principal complete(Started started, Map<String, String> callbackQuery) {
        Objects.requireNonNull(started, "started");
        if (!(started.pending() instanceof Pending p)) {
          throw new AuthenticationException(AuthenticationException.Reason.INVALID_TOKEN,
              "login callback rejected: the login was not started by " + label, null);
        }
        try {
          return flow.complete(p, callbackQuery).principal();
        } catch (OidcException e) {
          AuthenticationException.Reason reason = e.getMessage().startsWith("login callback rejected")
              ? AuthenticationException.Reason.INVALID_TOKEN : AuthenticationException.Reason.INVALID_CREDENTIALS;
          throw new AuthenticationException(reason, e.getMessage(), null);
        }
      }

      @Override
      public String toString() {
        return "BrowserLogin{" + id + " at " + authenticator.settings().issuer() + ", client " + clientId + "}";
      }
    };
  }

  /**
   * The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)) without padding.
   *
   * @param verifier the PKCE code verifier, ASCII
   * @return the challenge
   */
  public static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String form(Map<String, String> q) {
    StringJoiner j = new StringJoiner("&");
    q.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }

  /**
   * A started login: the URL to send the browser to, and the values to keep until it returns.
   * Treat it as a secret (it holds the PKCE verifier); {@link #toString()} hides the secrets.
   *
   * @param authorizationUri where to redirect the browser
   * @param redirectUri the redirect URI sent to the provider (the exchange must repeat it)
   * @param state the anti-CSRF value the callback must return
   * @param nonce the value the ID token must carry
   * @param codeVerifier the PKCE verifier
   * @param startedAt when the login started (by the authenticator's clock)
   */
  public record Pending(URI authorizationUri, URI redirectUri, String state, String nonce, String codeVerifier,
      Instant startedAt) {
    /**
     * Checks that no component is null.
     *
     * @param authorizationUri never null
     * @param redirectUri never null
     * @param state never null
     * @param nonce never null
     * @param codeVerifier never null
     * @param startedAt never null
     * @throws NullPointerException when a component is null
     */
    public Pending {
      Objects.requireNonNull(authorizationUri, "authorizationUri");
      Objects.requireNonNull(redirectUri, "redirectUri");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(codeVerifier, "codeVerifier");
      Objects.requireNonNull(startedAt, "startedAt");
    }

    @Override
    public String toString() {
      return "Pending{redirectUri=" + redirectUri + ", startedAt=" + startedAt + ", state/nonce/verifier hidden}";
    }
  }

  /**
   * A finished login. {@link #toString()} hides the tokens.
   *
   * @param principal who logged in, with mapped Sluice roles
   * @param accessToken the access token (a bearer token this module accepts)
   * @param idToken the validated ID token
   * @param refreshToken the refresh token, or null when the provider issued none
   * @param expiresAt when the access token expires, or null when the provider did not say
   */
  public record Login(Principal principal, String accessToken, String idToken, String refreshToken, Instant expiresAt) {
    @Override
    public String toString() {
      return "Login{principal=" + principal + ", expiresAt=" + expiresAt + ", tokens hidden}";
    }
  }
}
