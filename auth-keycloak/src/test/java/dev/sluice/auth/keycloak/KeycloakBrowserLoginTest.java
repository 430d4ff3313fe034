package dev.sluice.auth.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.auth.AccessDecision;
import dev.sluice.auth.AccessPolicy;
import dev.sluice.auth.BrowserLogin;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.store.AuditEvent;
import dev.sluice.store.InMemoryStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's "Sign in with Keycloak" end to end: a real {@link SluiceServer} on loopback with
 * {@link AuthorizationCodeFlow#asBrowserLogin} as its browser login, the real Keycloak the module's
 * tests start, and a browser played over HTTP with the JDK client (redirects followed by hand,
 * Keycloak's login form parsed from its HTML and posted). The realm gets a confidential client whose
 * redirect URI is the server's callback, and a user made for this test with a password made at test
 * time.
 */
@ExtendWith(KeycloakServer.class)
class KeycloakBrowserLoginTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir static Path dir;
  static KeycloakServer kc;
  static CapturingLogger log;
  static SluiceServer server;
  static InMemoryStore store;
  static String base;
  static String clientId;
  static String clientSecret;
  static final String USER = "frank-" + Long.toHexString(RANDOM.nextLong() & 0xffffff);
  static final String PASSWORD = random();
  static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    kc = KeycloakServer.get();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    String callback = base + "/api/v1/session/sso/keycloak/callback";

    // A confidential client for the dashboard, PKCE required, tokens with aud=sluice.
    clientId = "sluice-sso-" + Long.toHexString(RANDOM.nextLong() & 0xffffff);
    clientSecret = random();
    ObjectNode client = JSON.createObjectNode().put("clientId", clientId).put("enabled", true)
        .put("publicClient", false).put("secret", clientSecret).put("standardFlowEnabled", true)
        .put("directAccessGrantsEnabled", false);
    client.putArray("redirectUris").add(callback);
    client.putObject("attributes").put("pkce.code.challenge.method", "S256");
    ObjectNode audience = client.putArray("protocolMappers").addObject().put("name", "sluice-audience")
        .put("protocol", "openid-connect").put("protocolMapper", "oidc-audience-mapper");
    audience.putObject("config").put("included.client.audience", "sluice").put("id.token.claim", "false")
        .put("access.token.claim", "true");
    assertThat(kc.admin("POST", "sluice/clients", client.toString()).statusCode()).isEqualTo(201);

    // A user with the realm role sluice-auditor (mapped to Sluice's viewer).
    ObjectNode user = JSON.createObjectNode().put("username", USER).put("enabled", true)
        .put("email", USER + "@example.test").put("emailVerified", true).put("firstName", "Frank").put("lastName", "Test");
    user.putArray("credentials").addObject().put("type", "password").put("value", PASSWORD).put("temporary", false);
    assertThat(kc.admin("POST", "sluice/users", user.toString()).statusCode()).isEqualTo(201);
    String userId = kc.adminJson("GET", "sluice/users?exact=true&username=" + USER, null).get(0).get("id").asText();
    JsonNode role = kc.adminJson("GET", "sluice/roles/sluice-auditor", null);
    ArrayNode roles = JSON.createArrayNode().add(role);
    assertThat(kc.admin("POST", "sluice/users/" + userId + "/role-mappings/realm", roles.toString()).statusCode())
        .isEqualTo(204);

    log = new CapturingLogger("keycloak-browser-login");
    OidcAuthenticator oidc = OidcAuthenticator.create(OidcSettings.builder(kc.issuer("sluice")).audience("sluice")
        .clientId(clientId).roleMapping(KeycloakIntegrationTest.mapping()).build(), JSON, MutableClock.system(), log);
    BrowserLogin login = new AuthorizationCodeFlow(oidc, clientId, clientSecret, List.of("email"))
        .asBrowserLogin("keycloak", "Keycloak");

    Path orders = Files.writeString(dir.resolve("orders.jsonl"), "{\"id\":\"o1\"}\n");
    store = new InMemoryStore();
    Sluice sluice = Sluice.builder().store(store)
        .destination("all", batch -> dev.sluice.spi.DeliveryResult.success())
        .pipeline("orders", p -> p.source("file", Map.of("path", orders.toString())).route(r -> r.name("all").to("all")))
        .build();
    AccessPolicy policy = (p, perm, pipeline) -> p.roles().stream()
        .anyMatch(r -> BuiltInRoles.permissionsOf(r).contains(perm))
        ? AccessDecision.allow("granted by role") : AccessDecision.deny("no role grants " + perm);
    server = SluiceServer.create(sluice, ServerOptions.builder().host("127.0.0.1").port(port).accessPolicy(policy)
        .httpDrainTimeout(Duration.ofSeconds(2)).runsShutdownTimeout(Duration.ofSeconds(5))
        .browserLogin(login).build()).start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
  }

  /** A browser: its own cookies per site (by hand, see KeycloakIntegrationTest#browserLogin). */
  static final class Browser {
    final Map<String, String> sluiceCookies = new LinkedHashMap<>();
    final Map<String, String> keycloakCookies = new LinkedHashMap<>();

    HttpResponse<String> get(String url) throws Exception {
      return send(HttpRequest.newBuilder(URI.create(url)).GET(), url);
    }

    HttpResponse<String> send(HttpRequest.Builder b, String url) throws Exception {
      Map<String, String> jar = url.startsWith(base) ? sluiceCookies : keycloakCookies;
      if (!jar.isEmpty()) {
        StringJoiner j = new StringJoiner("; ");
        jar.forEach((k, v) -> j.add(k + "=" + v));
        b.header("Cookie", j.toString());
      }
      HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      for (String c : r.headers().allValues("Set-Cookie")) {
        String[] nv = c.split(";", 2)[0].split("=", 2);
        if (nv[1].isEmpty() || c.contains("Max-Age=0")) {
          jar.remove(nv[0]);
        } else {
          jar.put(nv[0], nv[1]);
        }
      }
      return r;
    }

    /** Clicks "Sign in with Keycloak"; returns Keycloak's redirect to the callback. */
    URI signInAtKeycloak(String user, String password) throws Exception {
      HttpResponse<String> start = get(base + "/api/v1/session/sso/keycloak");
      assertThat(start.statusCode()).isEqualTo(302);
      String location = start.headers().firstValue("Location").orElseThrow();
      assertThat(location).startsWith(kc.issuer("sluice") + "/protocol/openid-connect/auth?");
      Map<String, String> q = query(URI.create(location).getRawQuery());
      assertThat(q).containsEntry("client_id", clientId).containsEntry("code_challenge_method", "S256")
          .containsEntry("redirect_uri", base + "/api/v1/session/sso/keycloak/callback")
          .containsEntry("scope", "openid email").containsKeys("state", "nonce", "code_challenge");
      HttpResponse<String> page = get(location);
      assertThat(page.statusCode()).as("Keycloak's login page").isEqualTo(200);
      Matcher m = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"").matcher(page.body());
      if (!m.find()) {
        m = Pattern.compile("action=\"([^\"]+)\"").matcher(page.body());
        assertThat(m.find()).as("login form in Keycloak's page").isTrue();
      }
      String action = m.group(1).replace("&amp;", "&");
      String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
          + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&credentialId=";
      HttpResponse<String> posted = send(HttpRequest.newBuilder(URI.create(action))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form)), action);
      assertThat(posted.statusCode()).as("login form post answer").isEqualTo(302);
      URI back = URI.create(posted.headers().firstValue("Location").orElseThrow());
      assertThat(back.toString()).startsWith(base + "/api/v1/session/sso/keycloak/callback?");
      assertThat(query(back.getRawQuery())).containsEntry("state", q.get("state")).containsKey("code");
      return back;
    }

    JsonNode session() throws Exception {
      return JSON.readTree(get(base + "/api/v1/session").body());
    }
  }

  @Test
  void signInWithKeycloakOpensADashboardSession() throws Exception {
    Browser browser = new Browser();
    JsonNode anonymous = browser.session();
    assertThat(anonymous.path("authenticated").asBoolean()).isFalse();
    assertThat(anonymous.path("passwordLogin").asBoolean()).isFalse();
    assertThat(anonymous.path("browserLogins").get(0).path("label").asText()).isEqualTo("Keycloak");
    assertThat(anonymous.path("browserLogins").get(0).path("href").asText()).isEqualTo("/api/v1/session/sso/keycloak");

    URI back = browser.signInAtKeycloak(USER, PASSWORD);
    HttpResponse<String> landed = browser.get(back.toString());
    assertThat(landed.statusCode()).isEqualTo(302);
    assertThat(landed.headers().firstValue("Location")).contains("/");
    String sessionCookie = landed.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("sluice_session=")).findFirst().orElseThrow();
    assertThat(sessionCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/")
        .doesNotContain("Secure"); // plain http on loopback; https or secureCookie adds it
    assertThat(landed.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("sluice_csrf="));

    JsonNode me = browser.session();
    assertThat(me.path("authenticated").asBoolean()).isTrue();
    assertThat(me.path("principal").path("name").asText()).isEqualTo(USER);
    assertThat(me.path("principal").path("roles").toString()).isEqualTo("[\"viewer\"]");
    assertThat(browser.get(base + "/api/v1/pipelines").statusCode()).as("a viewer reads the API").isEqualTo(200);
    HttpResponse<String> run = browser.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/pipelines/orders/runs"))
        .header("Content-Type", "application/json").header("X-CSRF-Token", me.path("csrfToken").asText())
        .POST(HttpRequest.BodyPublishers.ofString("{}")), base);
    assertThat(run.statusCode()).as("a viewer may not start runs: roles mapped from Keycloak apply").isEqualTo(403);

    // The callback URL again (browser history, a leaked link): refused, no new session.
    HttpResponse<String> replay = browser.get(back.toString());
    assertRefused(replay, "expired");

    List<AuditEvent> audit = store.auditLog().orElseThrow().list(Long.MAX_VALUE, 20);
    assertThat(audit).anySatisfy(e -> {
      assertThat(e.actor()).isEqualTo(USER);
      assertThat(e.success()).isTrue();
      assertThat(e.detail()).contains("browser login keycloak");
    });
    String code = query(back.getRawQuery()).get("code");
    assertThat(log.all()).doesNotContain(code).doesNotContain(clientSecret);
    assertThat(audit.toString()).doesNotContain(code);
  }

  @Test
  void tamperedUnknownAndForeignCallbacksAreRefused() throws Exception {
    Browser browser = new Browser();
    URI back = browser.signInAtKeycloak(USER, PASSWORD);
    Map<String, String> q = query(back.getRawQuery());
    String callback = base + "/api/v1/session/sso/keycloak/callback";
    // Tampered state: unknown to the server (the real one stays pending until used or expired).
    assertRefused(browser.get(callback + "?state=" + q.get("state") + "x&code=" + enc(q.get("code"))
        + "&iss=" + enc(kc.issuer("sluice"))), "expired");
    // No state at all.
    assertRefused(browser.get(callback + "?code=" + enc(q.get("code"))), "expired");
    // A state that was never issued.
    assertRefused(browser.get(callback + "?state=" + random() + "&code=" + enc(q.get("code"))), "expired");
    // The genuine callback in another browser (login CSRF): refused, and the state is used up.
    Browser victim = new Browser();
    assertRefused(victim.get(back.toString()), "browser");
    assertRefused(browser.get(back.toString()), "expired");
    assertThat(browser.session().path("authenticated").asBoolean()).isFalse();
  }

  @Test
  void aLoginCancelledAtKeycloakComesBackAsDenied() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> start = browser.get(base + "/api/v1/session/sso/keycloak");
    String state = query(URI.create(start.headers().firstValue("Location").orElseThrow()).getRawQuery()).get("state");
    // What Keycloak sends when the user cancels (RFC 6749 4.1.2.1), with a description to ignore.
    assertRefused(browser.get(base + "/api/v1/session/sso/keycloak/callback?error=access_denied"
        + "&error_description=" + enc("<b>nope</b>") + "&state=" + enc(state) + "&iss=" + enc(kc.issuer("sluice"))),
        "denied");
    assertThat(browser.session().path("authenticated").asBoolean()).isFalse();
  }

  @Test
  void aWrongPasswordNeverLeavesKeycloak() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> start = browser.get(base + "/api/v1/session/sso/keycloak");
    HttpResponse<String> page = browser.get(start.headers().firstValue("Location").orElseThrow());
    Matcher m = Pattern.compile("action=\"([^\"]+)\"").matcher(page.body());
    assertThat(m.find()).isTrue();
    String action = m.group(1).replace("&amp;", "&");
    HttpResponse<String> posted = browser.send(HttpRequest.newBuilder(URI.create(action))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(USER) + "&password=" + enc(random())
            + "&credentialId=")), action);
    assertThat(posted.statusCode()).as("Keycloak shows its form again").isEqualTo(200);
    assertThat(posted.headers().firstValue("Location")).isEmpty();
    assertThat(browser.session().path("authenticated").asBoolean()).isFalse();
  }

  private static void assertRefused(HttpResponse<String> r, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).contains("/#login?error=" + code);
    assertThat(r.headers().allValues("Set-Cookie")).noneSatisfy(c -> assertThat(c).startsWith("sluice_session="));
    assertThat(r.body()).isEmpty();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
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

  private static String random() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return "T" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
