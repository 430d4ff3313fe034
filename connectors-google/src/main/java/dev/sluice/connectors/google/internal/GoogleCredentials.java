package dev.sluice.connectors.google.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.delivery.Sleeper;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.RequestLog;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Google OAuth 2.0 access tokens from one of three sources:
 *
 * <ul>
 *   <li><b>A service-account JSON key</b> (option {@code credentialsJson}, normally {@code
 *       ${secret:…}}): a JWT assertion (RS256, {@code iss} = {@code client_email}, {@code aud} =
 *       the key's {@code token_uri}) signed with the key's {@code private_key} is exchanged at the
 *       key's {@code token_uri} (RFC 7523 JWT bearer grant). The {@code token_uri} of the key is
 *       honoured, so a key can point at another token endpoint.
 *   <li><b>An OAuth refresh token</b> (options {@code clientId}, {@code clientSecret}, {@code
 *       refreshToken}, optional {@code tokenUri}), or a {@code credentialsJson} of type {@code
 *       authorized_user} (what {@code gcloud auth application-default login} writes).
 *   <li><b>Application Default Credentials</b> when none of these is set: the file named by {@code
 *       GOOGLE_APPLICATION_CREDENTIALS}, else gcloud's well-known file, else the metadata server of
 *       the Google Cloud machine ({@code GCE_METADATA_HOST} overrides its address).
 * </ul>
 *
 * <p>Tokens are cached until {@code expires_in} minus 60 s on the injected clock, and dropped with
 * {@link #invalidate} after a 401. Every credential (private key, client secret, refresh token,
 * assertion, access token) is registered with {@link #mask} and never appears in a message.
 *
 * <p>Thread-safe: one exchange at a time.
 */
public final class GoogleCredentials {
  /** Google's OAuth token endpoint. */
  public static final String DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration MARGIN = Duration.ofSeconds(60);
  private static final int MAX_ATTEMPTS = 4;

  private enum Kind { SERVICE_ACCOUNT, REFRESH_TOKEN, METADATA }

  private final Kind kind;
  private final String description;
  private final URI tokenUri;
  private final String clientEmail;
  private final String keyId;
  private final PrivateKey privateKey;
  private final String clientId;
  private final String clientSecret;
  private final String refreshToken;
  private final String projectId;
  private final List<String> scopes;
  private final HttpClient client;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Set<String> secrets = ConcurrentHashMap.newKeySet();

  private String token; // guarded by this
  private Instant renewAt; // guarded by this

  private GoogleCredentials(Kind kind, String description, URI tokenUri, String clientEmail, String keyId,
      PrivateKey privateKey, String clientId, String clientSecret, String refreshToken, String projectId,
      List<String> scopes, HttpClient client, Clock clock, Sleeper sleeper) {
    this.kind = kind;
    this.description = description;
    this.tokenUri = tokenUri;
    this.clientEmail = clientEmail;
    this.keyId = keyId;
    this.privateKey = privateKey;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.refreshToken = refreshToken;
    this.projectId = projectId;
    this.scopes = List.copyOf(scopes);
    this.client = client;
    this.clock = clock;
    this.sleeper = sleeper;
    addSecret(clientSecret);
    addSecret(refreshToken);
  }

  /**
   * Credentials from the options {@code credentialsJson}, {@code clientId}/{@code clientSecret}/{@code
   * refreshToken}/{@code tokenUri}, or Application Default Credentials when none is set.
   *
   * @param env the process environment (injected so tests control ADC)
   * @throws PluginConfigException naming the option when the credentials can't be used; the message
   *     never shows their content
   */
  public static GoogleCredentials fromConfig(PluginConfig config, List<String> scopes, HttpClient client,
      Clock clock, Sleeper sleeper, Map<String, String> env) {
    boolean json = config.has("credentialsJson");
    boolean refresh = config.has("refreshToken") || config.has("clientId") || config.has("clientSecret");
    if (json && refresh) {
      throw new PluginConfigException(config.owner() + ": set either option 'credentialsJson' or the options"
          + " 'clientId', 'clientSecret' and 'refreshToken', not both");
    }
    if (json) {
      return fromJson(config.secret("credentialsJson"), "option 'credentialsJson'", config, scopes, client,
          clock, sleeper);
    }
    if (refresh) {
      for (String option : List.of("clientId", "clientSecret", "refreshToken")) {
        if (!config.has(option)) {
          throw new PluginConfigException(config.owner() + ": option '" + option + "' is required with an"
              + " OAuth refresh token (set clientId, clientSecret and refreshToken, each as ${secret:…})");
        }
      }
      URI uri = checkedUri(config, "tokenUri", config.string("tokenUri", DEFAULT_TOKEN_URI));
      return new GoogleCredentials(Kind.REFRESH_TOKEN, "OAuth refresh token of client "
          + config.secret("clientId"), uri, null, null, null, config.secret("clientId"),
          config.secret("clientSecret"), config.secret("refreshToken"), null, scopes, client, clock, sleeper);
    }
    // Application Default Credentials.
    String file = env.get("GOOGLE_APPLICATION_CREDENTIALS");
    if (file != null && !file.isBlank()) {
      return fromFile(Path.of(file), "the file in GOOGLE_APPLICATION_CREDENTIALS (" + file + ")", config, scopes,
          client, clock, sleeper);
    }
    Path wellKnown = env.containsKey("APPDATA") && !env.containsKey("HOME")
        ? Path.of(env.get("APPDATA"), "gcloud", "application_default_credentials.json")
        : Path.of(env.getOrDefault("HOME", System.getProperty("user.home", ".")), ".config", "gcloud",
            "application_default_credentials.json");
    if (Files.isRegularFile(wellKnown)) {
      return fromFile(wellKnown, "gcloud's application default credentials (" + wellKnown + ")", config, scopes,
          client, clock, sleeper);
    }
    String host = env.getOrDefault("GCE_METADATA_HOST", "metadata.google.internal");
    URI uri = URI.create("http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token");
    return new GoogleCredentials(Kind.METADATA, "the metadata server's default service account (no credentialsJson,"
        + " refreshToken or GOOGLE_APPLICATION_CREDENTIALS set)", uri, null, null, null, null, null, null, null,
        scopes, client, clock, sleeper);
  }

  private static GoogleCredentials fromFile(Path file, String where, PluginConfig config, List<String> scopes,
      HttpClient client, Clock clock, Sleeper sleeper) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new PluginConfigException(config.owner() + ": can't read " + where + ": " + e.getClass().getSimpleName());
    }
    return fromJson(text, where, config, scopes, client, clock, sleeper);
  }

  private static GoogleCredentials fromJson(String text, String where, PluginConfig config, List<String> scopes,
      HttpClient client, Clock clock, Sleeper sleeper) {
    JsonNode key;
    try {
      key = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      // Jackson's message quotes the input: never show it, only where it broke.
      String at = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")";
      throw new PluginConfigException(config.owner() + ": " + where + " is not valid JSON" + at
          + "; it must hold a Google service-account key or authorized_user credentials (content hidden)");
    }
    if (key == null || !key.isObject()) {
      throw new PluginConfigException(config.owner() + ": " + where + " must be a JSON object (a service-account"
          + " key file's content)");
    }
    String type = key.path("type").asText("");
    if (type.equals("authorized_user")) {
      for (String field : List.of("client_id", "client_secret", "refresh_token")) {
        requireField(config, where, key, field);
      }
      URI uri = checkedUri(config, where + " token_uri", key.path("token_uri").asText(DEFAULT_TOKEN_URI));
      return new GoogleCredentials(Kind.REFRESH_TOKEN, "authorized_user credentials of client "
          + key.get("client_id").asText(), uri, null, null, null, key.get("client_id").asText(),
          key.get("client_secret").asText(), key.get("refresh_token").asText(), key.path("quota_project_id").asText(null),
          scopes, client, clock, sleeper);
    }
    if (!type.equals("service_account")) {
      throw new PluginConfigException(config.owner() + ": " + where + " has \"type\": \"" + abbreviate(type)
          + "\"; expected \"service_account\" (a key created under IAM → Service accounts → Keys) or"
          + " \"authorized_user\"");
    }
    requireField(config, where, key, "client_email");
    requireField(config, where, key, "private_key");
    URI uri = checkedUri(config, where + " token_uri", key.path("token_uri").asText(DEFAULT_TOKEN_URI));
    PrivateKey pk = parsePrivateKey(key.get("private_key").asText(), config, where);
    GoogleCredentials c = new GoogleCredentials(Kind.SERVICE_ACCOUNT, "service account "
        + key.get("client_email").asText(), uri, key.get("client_email").asText(),
        key.path("private_key_id").asText(null), pk, null, null, null, key.path("project_id").asText(null), scopes,
        client, clock, sleeper);
    c.addSecret(key.get("private_key").asText());
    return c;
  }

  private static void requireField(PluginConfig config, String where, JsonNode key, String field) {
    if (!key.path(field).isTextual() || key.path(field).asText().isBlank()) {
      throw new PluginConfigException(config.owner() + ": " + where + " has no \"" + field + "\"; is it the"
          + " complete key file?");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  static PrivateKey parsePrivateKey(String pem, PluginConfig config, String where) {
    String base64 = pem.replaceAll("-----(BEGIN|END) [A-Z0-9 ]+-----", "").replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new PluginConfigException(config.owner() + ": the \"private_key\" of " + where + " is not a PEM"
          + " PKCS#8 RSA private key (content hidden); use the key file exactly as Google issued it");
    }
  }

  /**
   * Checks an endpoint: https, or plain http only to a loopback address (tests, local proxies), so a
   * bearer token or assertion never crosses a network unencrypted.
   */
  public static URI checkedUri(PluginConfig config, String option, String value) {
    URI uri;
    try {
      uri = URI.create(value.trim());
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": " + option + " must be an absolute https URL, got \""
          + abbreviate(value) + "\"");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("https") || (scheme.equals("http") && isLoopback(uri.getHost())))) {
      throw new PluginConfigException(config.owner() + ": " + option + " must be an absolute https URL (plain"
          + " http only to localhost), got \"" + abbreviate(value) + "\"");
    }
    if (uri.getUserInfo() != null) {
      throw new PluginConfigException(config.owner() + ": " + option + " must not carry user:password@");
    }
    return uri;
  }

  private static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
  }

  /** What the credentials are, for messages ("service account x@y.iam.gserviceaccount.com"). */
  public String description() {
    return description;
  }

  /** The {@code project_id} of a service-account key (or quota project), or null. */
  public String projectId() {
    return projectId;
  }

  /** The token endpoint in use (the key's {@code token_uri}). */
  public URI tokenUri() {
    return tokenUri;
  }

  /** Replaces every known credential in {@code text} with {@code ***}. */
  public String mask(String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    for (String s : secrets) {
      if (s != null && s.length() >= 4) {
        out = out.replace(s, "***");
      }
    }
    return out;
  }

  private void addSecret(String s) {
    if (s != null && !s.isEmpty()) {
      secrets.add(s);
    }
  }

  /** Drops {@code used} if it is the cached token, so the next call fetches a new one. */
  public synchronized void invalidate(String used) {
    if (used != null && used.equals(token)) {
      token = null;
    }
  }

  /**
   * A valid access token, from the cache or a new exchange.
   *
   * @throws GoogleApiException when the token endpoint refuses (permanent) or keeps failing
   */
  public synchronized String accessToken(RequestLog log) throws InterruptedException {
    Instant now = clock.instant();
    if (token != null && now.isBefore(renewAt)) {
      return token;
    }
    HttpRequest request = tokenRequest(now);
    String target = tokenUri.toString();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<String> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        log.request("TOKEN", target, e.getClass().getSimpleName());
        if (attempt < MAX_ATTEMPTS) {
          sleeper.sleep(Duration.ofSeconds(1L << (attempt - 1)));
          continue;
        }
        throw new GoogleApiException(-1, "", true, "getting an access token for " + description + " from " + target
            + " failed after " + attempt + " attempts: " + mask(e.getClass().getSimpleName() + ": " + e.getMessage()), null);
      }
      int status = response.statusCode();
      if (status / 100 == 2) {
        JsonNode body;
        try {
          body = MAPPER.readTree(response.body());
        } catch (JsonProcessingException e) {
          body = null;
        }
        if (body == null || !body.path("access_token").isTextual()) {
          log.request("TOKEN", target, status + ", no access_token");
          throw new GoogleApiException(status, "", false, "the token endpoint " + target + " answered " + status
              + " without an access_token for " + description, null);
        }
        String t = body.get("access_token").asText();
        addSecret(t);
        long expiresIn = body.path("expires_in").asLong(3600);
        Duration margin = Duration.ofSeconds(Math.min(MARGIN.toSeconds(), expiresIn / 2));
        token = t;
        renewAt = now.plusSeconds(expiresIn).minus(margin);
        log.request("TOKEN", target, status + ", token for " + description + " valid " + expiresIn + "s");
        return t;
      }
      String excerpt = mask(excerpt(response.body()));
      log.request("TOKEN", target, String.valueOf(status));
      boolean retryable = status >= 500 || status == 429;
      if (retryable && attempt < MAX_ATTEMPTS) {
        sleeper.sleep(Duration.ofSeconds(1L << (attempt - 1)));
        continue;
      }
      String error = "";
      String detail = excerpt;
      try {
        JsonNode body = MAPPER.readTree(response.body());
        error = body.path("error").isTextual() ? body.path("error").asText() : body.path("error").path("status").asText("");
        detail = mask(body.path("error_description").asText(body.path("error").path("message").asText(excerpt)));
      } catch (JsonProcessingException ignored) {
        // keep the excerpt
      }
      throw new GoogleApiException(status, error, retryable, "the token endpoint " + target + " refused "
          + description + ": " + status + (error.isEmpty() ? "" : " " + error) + ": " + detail + ". "
          + (retryable ? "It kept failing; try again later." : fixHint(error)), null);
    }
  }

  private String fixHint(String error) {
    switch (kind) {
      case SERVICE_ACCOUNT:
        return "Check that the key in credentialsJson is current (not deleted or disabled in IAM → Service"
            + " accounts → Keys) and that the machine's clock is right" + (error.equals("invalid_scope")
            ? "; the scopes " + scopes + " were refused" : "") + ".";
      case REFRESH_TOKEN:
        return "Check clientId and clientSecret, and create a new refresh token if it was revoked or expired"
            + " (invalid_grant).";
      default:
        return "The metadata server did not hand out a token: set credentialsJson instead, or give the machine a"
            + " service account.";
    }
  }

  private HttpRequest tokenRequest(Instant now) {
    HttpRequest.Builder b = HttpRequest.newBuilder(tokenUri).timeout(Duration.ofSeconds(30));
    switch (kind) {
      case SERVICE_ACCOUNT: {
        String assertion = assertion(now);
        addSecret(assertion);
        return b.header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion", assertion))))
            .build();
      }
      case REFRESH_TOKEN: {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("grant_type", "refresh_token");
        f.put("client_id", clientId);
        f.put("client_secret", clientSecret);
        f.put("refresh_token", refreshToken);
        return b.header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(f))).build();
      }
      default: {
        String q = scopes.isEmpty() ? "" : "?scopes=" + URLEncoder.encode(String.join(",", scopes), StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(URI.create(tokenUri + q)).timeout(Duration.ofSeconds(30))
            .header("Metadata-Flavor", "Google").GET().build();
      }
    }
  }

  /** The signed JWT bearer assertion (RFC 7523 section 2.1) Google's token endpoint expects. */
  String assertion(Instant now) {
    ObjectNode header = MAPPER.createObjectNode().put("alg", "RS256").put("typ", "JWT");
    if (keyId != null) {
      header.put("kid", keyId);
    }
    long iat = now.getEpochSecond();
    ObjectNode claims = MAPPER.createObjectNode()
        .put("iss", clientEmail)
        .put("scope", String.join(" ", scopes))
        .put("aud", tokenUri.toString())
        .put("iat", iat)
        .put("exp", iat + 3600);
    Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
    String signingInput = enc.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + enc.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(privateKey);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + enc.encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new GoogleApiException(-1, "", false, "signing the token request of " + description + " failed: "
          + e.getClass().getSimpleName(), null);
    }
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  static String excerpt(String body) {
    if (body == null) {
      return "";
    }
    return body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  @Override
  public String toString() {
    return "GoogleCredentials{" + description + ", tokenUri=" + tokenUri + "}";
  }
}
