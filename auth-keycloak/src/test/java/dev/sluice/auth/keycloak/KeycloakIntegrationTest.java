package dev.sluice.auth.keycloak;

import static dev.sluice.auth.keycloak.TokenAssertions.assertRejected;
import static dev.sluice.auth.keycloak.TokenAssertions.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.auth.Principal;
import dev.sluice.spi.AuthResult;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Against a REAL Keycloak (see {@link KeycloakServer}): real tokens from the password and client
 * credentials grants, role mapping from realm roles, client roles and groups, the JWT attacks built
 * from real tokens and keys, another realm's token, introspection, and a browser-style
 * authorization code + PKCE login driven over HTTP. Key rotation is in {@link KeycloakKeyRotationTest}.
 */
@ExtendWith(KeycloakServer.class)
class KeycloakIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeycloakServer kc;
  private MutableClock clock;
  private CapturingLogger log;
  private OidcAuthenticator auth;

  static RoleMapping mapping() {
    return RoleMapping.builder()
        .realmRole("sluice-admin", "admin")
        .realmRole("sluice-auditor", "viewer")
        .clientRole("sluice", "operator", "operator")
        .clientRole("sluice", "viewer", "viewer")
        .group("/ops", "operator")
        .group("readers", "viewer")
        .build();
  }

  @BeforeEach
  void setUp() {
    kc = KeycloakServer.get();
    clock = MutableClock.system();
    log = new CapturingLogger("keycloak-it");
    auth = authenticator(settings());
  }

  private OidcSettings.Builder settings() {
    return OidcSettings.builder(kc.issuer("sluice")).audience("sluice").clientId("sluice-dashboard").roleMapping(mapping());
  }

  private OidcAuthenticator authenticator(OidcSettings.Builder b) {
    return OidcAuthenticator.create(b.build(), JSON, clock, log);
  }

  private Principal accepted(OidcAuthenticator a, String token) {
    AuthResult r = a.authenticate(bearer(token));
    assertThat(r.status()).as("real Keycloak token: %s", r.reason().orElse("")).isEqualTo(AuthResult.Status.AUTHENTICATED);
    return r.principal().orElseThrow();
  }

  @Test
  void passwordGrantTokensAreAcceptedAndRolesMapped() {
    Principal alice = accepted(auth, kc.passwordToken("sluice", "alice"));
    assertThat(alice.name()).isEqualTo("alice");
    assertThat(alice.roles()).containsExactly("admin");
    assertThat(alice.attributes()).containsEntry("email", "alice@example.test")
        .containsEntry("client", "sluice-dashboard").containsEntry("issuer", kc.issuer("sluice"));

    assertThat(accepted(auth, kc.passwordToken("sluice", "bob")).roles()).as("client role sluice/operator")
        .containsExactly("operator");
    assertThat(accepted(auth, kc.passwordToken("sluice", "dave")).roles()).as("group /ops + realm role sluice-auditor")
        .containsExactlyInAnyOrder("operator", "viewer");

    log.clear();
    Principal carol = accepted(auth, kc.passwordToken("sluice", "carol"));
    assertThat(carol.roles()).as("group readers (configured without the leading /)").containsExactly("viewer");
    assertThat(log.lines()).anySatisfy(l -> assertThat(l.message())
        .startsWith("ignoring provider roles/groups without a Sluice role mapping").contains("realm role unrelated-role"));
  }

  @Test
  void clientCredentialsTokenOfTheServiceAccount() {
    Principal svc = accepted(auth, kc.clientCredentialsToken());
    assertThat(svc.name()).isEqualTo("service-account-sluice-backend");
    assertThat(svc.roles()).containsExactly("viewer");
    assertThat(svc.attributes()).containsEntry("client", "sluice-backend");
  }

  @Test
  void attacksBuiltFromRealKeycloakTokensAreRejected() throws Exception {
    String token = kc.passwordToken("sluice", "carol");
    accepted(auth, token);
    String[] parts = token.split("\\.");
    DecodedJWT real = JWT.decode(token);
    assertThat(real.getAlgorithm()).isEqualTo("RS256");

    // Tampered payload: carol promotes herself.
    ObjectNode claims = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    claims.putObject("realm_access").putArray("roles").add("sluice-admin");
    String tampered = parts[0] + "." + b64(JSON.writeValueAsBytes(claims)) + "." + parts[2];
    assertRejected(auth, log, tampered, "signature does not verify");

    // alg none with the real payload.
    String none = b64(("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + real.getKeyId() + "\"}").getBytes(StandardCharsets.UTF_8));
    assertRejected(auth, log, none + "." + b64(JSON.writeValueAsBytes(claims)) + ".", "malformed token");

    // HS256 signed with Keycloak's real RSA public key (algorithm confusion).
    JsonNode jwks = JSON.readTree(kc.http.send(HttpRequest.newBuilder(
        URI.create(kc.issuer("sluice") + "/protocol/openid-connect/certs")).build(), HttpResponse.BodyHandlers.ofString()).body());
    JsonNode sigKey = null;
    for (JsonNode k : jwks.get("keys")) {
      if (real.getKeyId().equals(k.path("kid").asText())) {
        sigKey = k;
      }
    }
    assertThat(sigKey).as("the token's key in Keycloak's JWKS").isNotNull();
    byte[] der = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
        new BigInteger(1, Base64.getUrlDecoder().decode(sigKey.get("n").asText())),
        new BigInteger(1, Base64.getUrlDecoder().decode(sigKey.get("e").asText())))).getEncoded();
    String confused = JWT.create().withKeyId(real.getKeyId()).withIssuer(kc.issuer("sluice")).withAudience("sluice")
        .withExpiresAt(clock.instant().plusSeconds(300)).withClaim("preferred_username", "carol")
        .withClaim("realm_access", Map.of("roles", List.of("sluice-admin"))).sign(Algorithm.HMAC256(der));
    assertRejected(auth, log, confused, "algorithm HS256 is not allowed");

    // Header swapped to a traversal kid / unknown kid (the real signature stays).
    String traversal = b64(("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"../../../etc/passwd\"}").getBytes(StandardCharsets.UTF_8));
    assertRejected(auth, log, traversal + "." + parts[1] + "." + parts[2], "key id (kid) is malformed");
    String sql = b64(("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"x' OR 1=1 --\"}").getBytes(StandardCharsets.UTF_8));
    assertRejected(auth, log, sql + "." + parts[1] + "." + parts[2], "key id (kid) is malformed");
    clock.advance(Duration.ofSeconds(31));
    String unknown = b64(("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"not-a-keycloak-kid\"}").getBytes(StandardCharsets.UTF_8));
    assertRejected(auth, log, unknown + "." + parts[1] + "." + parts[2], "unknown key id");

    // Wrong audience: Sluice configured for another API.
    assertRejected(authenticator(OidcSettings.builder(kc.issuer("sluice")).audience("billing-api")), log, token,
        "wrong audience");
    // Expired: the same real token an hour later; not valid yet: an hour earlier (iat in the future).
    clock.advance(Duration.ofHours(1));
    assertRejected(auth, log, token, "expired");
    clock.advance(Duration.ofHours(-2));
    assertRejected(authenticator(settings()), log, token, "issued in the future");
    clock.advance(Duration.ofHours(1));

    // 1 MB.
    assertRejected(auth, log, token + "A".repeat(1024 * 1024), "larger than the limit");
    // The untouched token still passes: the rejections above were about the forgeries.
    clock.advance(Duration.ofSeconds(-31));
    accepted(auth, token);
  }

  @Test
  void anotherRealmsTokenOnTheSameKeycloakIsRejected() {
    String mallory = kc.passwordToken("other", "mallory");
    // Control: it is a genuine token, valid for its own realm, with the same audience and role names.
    assertThat(accepted(authenticator(OidcSettings.builder(kc.issuer("other")).audience("sluice").roleMapping(mapping())),
        mallory).roles()).containsExactly("admin");
    accepted(auth, kc.passwordToken("sluice", "alice"));
    long downloads = auth.jwksDownloads();
    assertRejected(auth, log, mallory, "wrong issuer");
    assertThat(auth.jwksDownloads()).as("a foreign token causes no key download").isEqualTo(downloads);
  }

  @Test
  void introspectionSeesLogoutsAndRefusesOpaqueGarbage() {
    OidcAuthenticator introspecting = authenticator(settings().introspection(
        new OidcSettings.Introspection("sluice-backend", kc.backendSecret, null, true)));
    String token = kc.passwordToken("sluice", "bob");
    assertThat(accepted(introspecting, token).roles()).containsExactly("operator");

    String bobId = kc.adminJson("GET", "sluice/users?exact=true&username=bob", null).get(0).get("id").asText();
    assertThat(kc.admin("POST", "sluice/users/" + bobId + "/logout", null).statusCode()).isEqualTo(204);
    assertRejected(introspecting, log, token, "token is not active (introspection)");
    // Without introspection the signed token still validates until it expires: that is what forJwts is for.
    accepted(auth, token);

    assertRejected(introspecting, log, "opaque-" + "x".repeat(40), "token is not active (introspection)");
    assertRejected(auth, log, "opaque-" + "x".repeat(40), "introspection of opaque tokens is not configured");

    OidcAuthenticator wrongSecret = authenticator(settings().introspection(
        new OidcSettings.Introspection("sluice-backend", "wrong-" + kc.backendSecret, null, false)));
    assertRejected(wrongSecret, log, "opaque-" + "y".repeat(40), "token introspection failed");
    assertThat(log.all()).doesNotContain(kc.backendSecret);
  }

  @Test
  void authorizationCodeWithPkceLoginDrivenOverHttp() throws Exception {
    AtomicReference<String> callbackQuery = new AtomicReference<>();
    HttpServer callback = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), kc.callbackPort), 0);
    callback.createContext("/callback", ex -> {
      callbackQuery.set(ex.getRequestURI().getRawQuery());
      byte[] body = "logged in".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    callback.start();
    try {
      AuthorizationCodeFlow flow = new AuthorizationCodeFlow(auth, "sluice-dashboard", null, List.of("email"));
      AuthorizationCodeFlow.Pending pending = flow.begin(kc.redirectUri());
      Map<String, String> q = query(pending.authorizationUri().getRawQuery());
      assertThat(q).containsEntry("code_challenge_method", "S256")
          .containsEntry("code_challenge", AuthorizationCodeFlow.challenge(pending.codeVerifier()))
          .containsEntry("state", pending.state()).containsEntry("nonce", pending.nonce())
          .containsEntry("client_id", "sluice-dashboard").containsEntry("scope", "openid email");
      assertThat(pending.toString()).doesNotContain(pending.codeVerifier()).doesNotContain(pending.state());

      Map<String, String> params = browserLogin(pending, "alice", callbackQuery);
      AuthorizationCodeFlow.Login login = flow.complete(pending, params);
      assertThat(login.principal().name()).isEqualTo("alice");
      assertThat(login.principal().roles()).containsExactly("admin");
      assertThat(login.refreshToken()).isNotBlank();
      assertThat(JWT.decode(login.idToken()).getClaim("nonce").asString()).isEqualTo(pending.nonce());
      assertThat(login.toString()).doesNotContain(login.accessToken());
      accepted(auth, login.accessToken());

      // The code is single-use: a replayed callback fails at Keycloak.
      assertThatThrownBy(() -> flow.complete(pending, params)).isInstanceOf(OidcException.class)
          .hasMessageContaining("refused the code").hasMessageNotContaining(params.get("code"));

      // A callback with another state (CSRF) never reaches the token endpoint.
      AuthorizationCodeFlow.Pending second = flow.begin(kc.redirectUri());
      Map<String, String> secondParams = browserLogin(second, "bob", callbackQuery);
      Map<String, String> forged = new LinkedHashMap<>(secondParams);
      forged.put("state", pending.state());
      assertThatThrownBy(() -> flow.complete(second, forged)).isInstanceOf(OidcException.class)
          .hasMessageContaining("state does not match");
      // PKCE is enforced: the right code with the wrong verifier is refused by Keycloak.
      AuthorizationCodeFlow.Pending wrongVerifier = new AuthorizationCodeFlow.Pending(second.authorizationUri(),
          second.redirectUri(), second.state(), second.nonce(), pending.codeVerifier(), second.startedAt());
      assertThatThrownBy(() -> flow.complete(wrongVerifier, secondParams)).isInstanceOf(OidcException.class)
          .hasMessageContaining("refused the code");
      // An error sent back by the provider is reported, not exchanged.
      assertThatThrownBy(() -> flow.complete(second, Map.of("error", "access_denied", "state", second.state())))
          .isInstanceOf(OidcException.class).hasMessageContaining("access_denied");
      assertThat(log.all()).doesNotContain(pending.codeVerifier()).doesNotContain(params.get("code"));
    } finally {
      callback.stop(0);
    }
  }

  /** What a browser does: open the login page, post the form, follow the redirect to the loopback callback. */
  private Map<String, String> browserLogin(AuthorizationCodeFlow.Pending pending, String user,
      AtomicReference<String> callbackQuery) throws Exception {
    // Cookies by hand: Keycloak marks its login cookies Secure, which browsers send to http://127.0.0.1
    // (a secure context) but the JDK's CookieManager does not.
    HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> page = browser.send(HttpRequest.newBuilder(pending.authorizationUri()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    StringJoiner cookies = new StringJoiner("; ");
    for (String setCookie : page.headers().allValues("Set-Cookie")) {
      cookies.add(setCookie.split(";", 2)[0]);
    }
    Matcher m = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"").matcher(page.body());
    if (!m.find()) {
      m = Pattern.compile("action=\"([^\"]+)\"").matcher(page.body());
      assertThat(m.find()).as("login form in Keycloak's page").isTrue();
    }
    String action = m.group(1).replace("&amp;", "&");
    String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(kc.userPassword, StandardCharsets.UTF_8) + "&credentialId=";
    HttpResponse<String> posted = browser.send(HttpRequest.newBuilder(URI.create(action))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", cookies.toString())
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).as("login form post answer").isEqualTo(302);
    URI location = URI.create(posted.headers().firstValue("Location").orElseThrow());
    assertThat(location.toString()).startsWith(kc.redirectUri().toString());
    callbackQuery.set(null);
    HttpResponse<String> landed = browser.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(landed.statusCode()).isEqualTo(200);
    assertThat(callbackQuery.get()).isNotNull();
    Map<String, String> params = query(callbackQuery.get());
    assertThat(params).containsKeys("code", "state").containsEntry("iss", kc.issuer("sluice"));
    return params;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

}
