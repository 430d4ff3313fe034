package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.SluiceException;
import dev.sluice.delivery.Sleeper;
import dev.sluice.destinations.webhook.RetryAfter;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.RequestLog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * OAuth 2.0 access tokens (RFC 6749) for one client: the client-credentials grant (section 4.4) or
 * the refresh-token grant (section 6). Reusable by any connector that calls an OAuth-protected API.
 *
 * <pre>{@code
 * OAuthTokens tokens = OAuthTokens.builder(URI.create("https://auth.example.com/oauth/token"), httpClient, clock)
 *     .clientId("my-client").clientSecret(clientSecret)
 *     .refreshToken(context.secrets(), "example_refresh_token")   // or .clientCredentials()
 *     .redactor(redactor)
 *     .build();
 * request.header("Authorization", "Bearer " + tokens.accessToken());
 * // after a 401: tokens.invalidate(tokenSent); then ask again, once
 * }</pre>
 *
 * <p><b>Caching.</b> A token is reused until {@code expires_in} minus a safety margin (default 60 s,
 * at most half the lifetime) has passed on the injected clock; a token without {@code expires_in}
 * is reused until {@link #invalidate}d (after a 401).
 *
 * <p><b>Rotation.</b> With the refresh-token grant the refresh token lives in a named secret of the
 * host's secret store ({@link PluginSecrets}) and is read from there before every refresh, so a new
 * process (or another node) continues with the latest one. When the token endpoint answers with a
 * new refresh token, it is written to that secret <em>before anything else happens</em>, and the new
 * access token is handed out only once the write succeeded: a crash after the endpoint rotated the
 * token can lose at most an access token, never the refresh token. If the write fails, {@link
 * #accessToken} throws and the new access token is not used. When the endpoint answers {@code
 * invalid_grant} but the stored refresh token changed meanwhile (another process rotated it), the
 * refresh is retried once with the stored one.
 *
 * <p><b>Secrets.</b> The client secret, refresh tokens and access tokens are registered with the
 * {@link Redactor} (the one passed to the builder, or an own one) and never appear in messages.
 *
 * <p>Thread-safe: one refresh at a time; concurrent callers wait for it and share its token.
 */
public final class OAuthTokens {
  /** Which grant obtains tokens. */
  public enum Grant {
    /** The client-credentials grant: the client's own id and secret obtain tokens. */
    CLIENT_CREDENTIALS,
    /** The refresh-token grant: a stored refresh token obtains tokens (and may be rotated). */
    REFRESH_TOKEN
  }

  /** How the client authenticates to the token endpoint. */
  public enum ClientAuthentication {
    /** HTTP Basic with client id and secret (RFC 6749 section 2.3.1, the recommended way). */
    BASIC_HEADER,
    /** {@code client_id} and {@code client_secret} as form parameters. */
    REQUEST_BODY
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_ATTEMPTS = 3;
  private static final int BODY_EXCERPT = 300;

  private final URI tokenUrl;
  private final HttpClient client;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Grant grant;
  private final String clientId;
  private final String clientSecret;
  private final ClientAuthentication clientAuthentication;
  private final List<String> scopes;
  private final Map<String, String> parameters;
  private final PluginSecrets secrets;
  private final String refreshTokenSecret;
  private final Duration expiryMargin;
  private final Duration requestTimeout;
  private final Redactor redactor;

  private String accessToken; // guarded by this
  private Instant renewAt; // guarded by this; null: until invalidated

  private OAuthTokens(Builder b) {
    this.tokenUrl = b.tokenUrl;
    this.client = b.client;
    this.clock = b.clock;
    this.sleeper = b.sleeper;
    this.grant = b.grant;
    this.clientId = b.clientId;
    this.clientSecret = b.clientSecret;
    this.clientAuthentication = b.clientAuthentication;
    this.scopes = List.copyOf(b.scopes);
    this.parameters = Map.copyOf(b.parameters);
    this.secrets = b.secrets;
    this.refreshTokenSecret = b.refreshTokenSecret;
    this.expiryMargin = b.expiryMargin;
    this.requestTimeout = b.requestTimeout;
    this.redactor = b.redactor != null ? b.redactor : new Redactor();
    redactor.addSecret(clientSecret);
  }

  /**
   * Starts a builder.
   *
   * @param tokenUrl the token endpoint, http or https
   * @param client sends the token requests (shared with the API calls is fine)
   * @param clock decides when a token expires
   * @return a new builder
   */
  public static Builder builder(URI tokenUrl, HttpClient client, Clock clock) {
    return new Builder(tokenUrl, client, clock);
  }

  /**
   * A valid access token: the cached one, or a new one from the token endpoint.
   *
   * @return the access token, never null
   * @throws HttpSourceException when the endpoint refuses, or a rotated refresh token could not be
   *     saved
   * @throws IOException when the endpoint can't be reached after retries
   * @throws InterruptedException when interrupted while waiting for the endpoint or a retry
   */
  public String accessToken() throws IOException, InterruptedException {
    return accessToken(RequestLog.NONE);
  }

  /**
   * A valid access token: the cached one, or a new one from the token endpoint, whose request is
   * reported to {@code log} (URL only; secrets never).
   *
   * @param log where the token request is reported
   * @return the access token, never null
   * @throws HttpSourceException when the endpoint refuses (the message names the status and the
   *     OAuth error, masked), or a rotated refresh token could not be saved
   * @throws IOException when the endpoint can't be reached after retries
   * @throws InterruptedException when interrupted while waiting for the endpoint or a retry
   */
  public synchronized String accessToken(RequestLog log) throws IOException, InterruptedException {
    if (accessToken != null && (renewAt == null || clock.instant().isBefore(renewAt))) {
      return accessToken;
    }
    accessToken = null;
    fetch(log);
    return accessToken;
  }

  /**
   * Forgets {@code token} if it is the cached one (the API answered 401 to it), so the next {@link
   * #accessToken} obtains a new one. A token other than the cached one is ignored: another caller
   * renewed it already.
   *
   * @param token the token the API refused; null is ignored
   */
  public synchronized void invalidate(String token) {
    if (token != null && token.equals(accessToken)) {
      accessToken = null;
    }
  }

  private void fetch(RequestLog log) throws IOException, InterruptedException {
    String refreshToken = grant == Grant.REFRESH_TOKEN ? storedRefreshToken() : null;
    JsonNode answer;
    try {
      answer = post(form(refreshToken), log);
    } catch (InvalidGrant e) {
      String stored = storedRefreshToken();
      if (stored.equals(refreshToken)) {
        throw rejected(e);
      }
      // Another process rotated it meanwhile: use the one it stored.
      refreshToken = stored;
      try {
        answer = post(form(refreshToken), log);
      } catch (InvalidGrant again) {
        throw rejected(again);
      }
    }
    String token = answer.path("access_token").asText("");
    if (token.isEmpty()) {
      throw new HttpSourceException("POST", redactor.mask(tokenUrl.toString()), 200, "the token endpoint "
          + redactor.mask(tokenUrl.toString()) + " answered without an access_token", null);
    }
    redactor.addTemporarySecret(token);
    String rotated = answer.path("refresh_token").asText("");
    if (grant == Grant.REFRESH_TOKEN && !rotated.isEmpty() && !rotated.equals(refreshToken)) {
      redactor.addSecret(rotated);
      try {
        // First thing after the answer: the old refresh token may be revoked already.
        secrets.put(refreshTokenSecret, rotated);
      } catch (RuntimeException e) {
        throw new HttpSourceException("POST", redactor.mask(tokenUrl.toString()), 200, "the token endpoint "
            + redactor.mask(tokenUrl.toString()) + " rotated the refresh token but it could not be saved to secret '"
            + refreshTokenSecret + "': " + redactor.mask(String.valueOf(e.getMessage()))
            + "; the new access token was not used. If the old refresh token is revoked now, authorize again"
            + " and store the new one with `sluice secret set " + refreshTokenSecret + "`", null);
      }
    }
    accessToken = token;
    renewAt = null;
    JsonNode expiresIn = answer.path("expires_in");
    long seconds = expiresIn.isNumber() ? expiresIn.asLong() : expiresIn.isTextual() ? parseLong(expiresIn.asText()) : -1;
    if (seconds >= 0) {
      Duration lifetime = Duration.ofSeconds(seconds);
      Duration margin = expiryMargin.compareTo(lifetime.dividedBy(2)) > 0 ? lifetime.dividedBy(2) : expiryMargin;
      renewAt = clock.instant().plus(lifetime).minus(margin);
    }
  }

  private HttpSourceException rejected(InvalidGrant e) {
    return new HttpSourceException("POST", e.url, e.status, "the token endpoint " + e.url
        + " rejected the refresh token in secret '" + refreshTokenSecret + "' (invalid_grant" + e.detail
        + "): it was revoked or expired; authorize again and store the new refresh token with `sluice secret set "
        + refreshTokenSecret + "`", null);
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private String storedRefreshToken() {
    Optional<String> stored = secrets.get(refreshTokenSecret);
    if (stored.isEmpty() || stored.get().isBlank()) {
      throw new SluiceException("the OAuth refresh token is missing: store it with `sluice secret set "
          + refreshTokenSecret + "`");
    }
    redactor.addSecret(stored.get());
    return stored.get();
  }

  private Map<String, String> form(String refreshToken) {
    Map<String, String> form = new LinkedHashMap<>();
    if (grant == Grant.REFRESH_TOKEN) {
      form.put("grant_type", "refresh_token");
      form.put("refresh_token", refreshToken);
    } else {
      form.put("grant_type", "client_credentials");
    }
    if (!scopes.isEmpty()) {
      form.put("scope", String.join(" ", scopes));
    }
    if (clientAuthentication == ClientAuthentication.REQUEST_BODY) {
      form.put("client_id", clientId);
      if (clientSecret != null) {
        form.put("client_secret", clientSecret);
      }
    }
    form.putAll(parameters);
    return form;
  }

  /** A rejected refresh token, to be retried once when the stored one changed meanwhile. */
  private static final class InvalidGrant extends Exception {
    private static final long serialVersionUID = 1L;
    final String url;
    final int status;
    final String detail;

    InvalidGrant(String url, int status, String detail) {
      super(null, null, false, false);
      this.url = url;
      this.status = status;
      this.detail = detail;
    }
  }

  private JsonNode post(Map<String, String> form, RequestLog log)
      throws IOException, InterruptedException, InvalidGrant {
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> {
      if (body.length() > 0) {
        body.append('&');
      }
      body.append(OutgoingRequest.encode(k)).append('=').append(OutgoingRequest.encode(v));
    });
    HttpRequest.Builder request = HttpRequest.newBuilder(tokenUrl)
        .timeout(requestTimeout)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (clientAuthentication == ClientAuthentication.BASIC_HEADER) {
      String pair = OutgoingRequest.encode(clientId) + ":" + OutgoingRequest.encode(clientSecret == null ? "" : clientSecret);
      String encoded = Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
      redactor.addSecret(encoded);
      request.header("Authorization", "Basic " + encoded);
    }
    HttpRequest built = request.build();
    String url = redactor.mask(tokenUrl.toString());
    for (int attempt = 1; ; attempt++) {
      HttpResponse<byte[]> response;
      try {
        response = HttpCaller.send(client, built, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        log.request("POST", url, "token request failed: " + redactor.mask(String.valueOf(e.getMessage())));
        if (attempt >= MAX_ATTEMPTS) {
          throw new HttpSourceException("POST", url, -1, "the token endpoint " + url + " can't be reached after "
              + attempt + " attempts: " + redactor.mask(e.toString()), null);
        }
        sleeper.sleep(Duration.ofSeconds(attempt));
        continue;
      }
      int status = response.statusCode();
      String text = new String(response.body(), StandardCharsets.UTF_8);
      log.request("POST", url, status + " (token)");
      if (status / 100 == 2) {
        try {
          JsonNode json = MAPPER.readTree(text);
          if (json != null && json.isObject()) {
            return json;
          }
        } catch (IOException e) {
          // reported below
        }
        throw new HttpSourceException("POST", url, status, "the token endpoint " + url
            + " answered " + status + " with a body that is not a JSON object: " + excerpt(text), null);
      }
      if ((status == 429 || status / 100 == 5) && attempt < MAX_ATTEMPTS) {
        Duration wait = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock.instant())
            .orElse(Duration.ofSeconds(attempt));
        sleeper.sleep(wait);
        continue;
      }
      String error = "";
      String description = "";
      try {
        JsonNode json = MAPPER.readTree(text);
        if (json != null) {
          error = json.path("error").asText("");
          description = json.path("error_description").asText("");
        }
      } catch (IOException e) {
        // not JSON: the excerpt says enough
      }
      String detail = description.isEmpty() ? "" : ": " + redactor.mask(description);
      if (error.equals("invalid_grant") && grant == Grant.REFRESH_TOKEN) {
        throw new InvalidGrant(url, status, detail);
      }
      throw new HttpSourceException("POST", url, status, "the token endpoint " + url + " answered " + status
          + (error.isEmpty() ? "" : " (" + redactor.mask(error) + detail + ")") + ": " + excerpt(text), null);
    }
  }

  private String excerpt(String text) {
    String t = text.length() > BODY_EXCERPT ? text.substring(0, BODY_EXCERPT) + "…" : text;
    return redactor.mask(t);
  }

  /** Builds {@link OAuthTokens}. Not thread-safe. */
  public static final class Builder {
    private final URI tokenUrl;
    private final HttpClient client;
    private final Clock clock;
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Grant grant;
    private String clientId;
    private String clientSecret;
    private ClientAuthentication clientAuthentication = ClientAuthentication.BASIC_HEADER;
    private final List<String> scopes = new ArrayList<>();
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private PluginSecrets secrets;
    private String refreshTokenSecret;
    private Duration expiryMargin = Duration.ofSeconds(60);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Redactor redactor;

    private Builder(URI tokenUrl, HttpClient client, Clock clock) {
      this.tokenUrl = Objects.requireNonNull(tokenUrl, "tokenUrl");
      String scheme = tokenUrl.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || tokenUrl.getHost() == null) {
        throw new IllegalArgumentException("tokenUrl must be an absolute http(s) URL, got '" + tokenUrl + "'");
      }
      this.client = Objects.requireNonNull(client, "client");
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The client id; required.
     *
     * @param value the client id, not blank
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or blank
     */
    public Builder clientId(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("clientId must not be blank");
      }
      this.clientId = value;
      return this;
    }

    /**
     * The client secret; null for public clients.
     *
     * @param value the client secret, or null
     * @return this builder
     */
    public Builder clientSecret(String value) {
      this.clientSecret = value;
      return this;
    }

    /**
     * How the client authenticates (default {@link ClientAuthentication#BASIC_HEADER}).
     *
     * @param value the method, not null
     * @return this builder
     */
    public Builder clientAuthentication(ClientAuthentication value) {
      this.clientAuthentication = Objects.requireNonNull(value, "clientAuthentication");
      return this;
    }

    /**
     * Scopes to ask for ({@code scope} parameter, space-separated); none by default.
     *
     * @param values the scopes; replaces those given before
     * @return this builder
     */
    public Builder scopes(List<String> values) {
      scopes.clear();
      scopes.addAll(values);
      return this;
    }

    /**
     * An extra form parameter of the token request, e.g. {@code audience}.
     *
     * @param name the parameter's name, not null
     * @param value its value, not null
     * @return this builder
     */
    public Builder parameter(String name, String value) {
      parameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Uses the client-credentials grant.
     *
     * @return this builder
     */
    public Builder clientCredentials() {
      this.grant = Grant.CLIENT_CREDENTIALS;
      return this;
    }

    /**
     * Uses the refresh-token grant with the refresh token stored in secret {@code secretName} of
     * {@code store}, where a rotated one is written back.
     *
     * @param store the secrets to read the refresh token from and write a rotated one to
     * @param secretName the secret's name: 1-128 letters, digits, '_', '.' or '-'
     * @return this builder
     * @throws IllegalArgumentException when {@code secretName} is not a valid name
     */
    public Builder refreshToken(PluginSecrets store, String secretName) {
      if (secretName == null || !secretName.matches("[A-Za-z0-9_.-]{1,128}")) {
        throw new IllegalArgumentException("refresh token secret name must be 1-128 letters, digits, '_', '.' or '-', got '"
            + secretName + "'");
      }
      this.grant = Grant.REFRESH_TOKEN;
      this.secrets = Objects.requireNonNull(store, "store");
      this.refreshTokenSecret = secretName;
      return this;
    }

    /**
     * How long before its expiry a token is renewed (default 60 s; at most half its lifetime).
     *
     * @param value the margin, not negative
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or negative
     */
    public Builder expiryMargin(Duration value) {
      if (value == null || value.isNegative()) {
        throw new IllegalArgumentException("expiryMargin must be >= 0, got " + value);
      }
      this.expiryMargin = value;
      return this;
    }

    /**
     * Timeout of one token request (default 30 s).
     *
     * @param value the timeout, positive
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or not positive
     */
    public Builder requestTimeout(Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("requestTimeout must be > 0, got " + value);
      }
      this.requestTimeout = value;
      return this;
    }

    /**
     * Waits between retries of the token request (default {@link Sleeper#SYSTEM}).
     *
     * @param value the sleeper, not null
     * @return this builder
     */
    public Builder sleeper(Sleeper value) {
      this.sleeper = Objects.requireNonNull(value, "sleeper");
      return this;
    }

    /**
     * Where the secrets this client handles are registered for masking (default: an own one).
     *
     * @param value the redactor, not null
     * @return this builder
     */
    public Builder redactor(Redactor value) {
      this.redactor = Objects.requireNonNull(value, "redactor");
      return this;
    }

    /**
     * Builds the token source; no token is requested until {@link OAuthTokens#accessToken()}.
     *
     * @return the token source, thread-safe
     * @throws IllegalArgumentException when the client id or the grant is missing
     */
    public OAuthTokens build() {
      if (clientId == null) {
        throw new IllegalArgumentException("clientId is required");
      }
      if (grant == null) {
        throw new IllegalArgumentException("choose a grant: clientCredentials() or refreshToken(store, secretName)");
      }
      return new OAuthTokens(this);
    }
  }
}
