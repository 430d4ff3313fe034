package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.BrowserLogin;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.auth.Principal;
import dev.sluice.store.AuditEvent;
import dev.sluice.store.InMemoryStore;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's side of browser logins over real HTTP, with a {@link FakeBrowserLogin} standing in
 * for the identity provider (Keycloak itself is driven in auth-keycloak's KeycloakBrowserLoginTest):
 * the redirect to the provider, the callback URL built from the bound loopback address (not the
 * Host header), the session cookie it opens and its flags, single-use and expiring state, the
 * browser binding, provider errors, and the audit log.
 */
class BrowserLoginRoutesTest {
  private static final String START = "/api/v1/session/sso/test";
  private static final String CALLBACK = START + "/callback";

  @TempDir Path dir;
  Fixture f;
  InMemoryStore store;
  final SessionSecurityTest.MutableClock clock = new SessionSecurityTest.MutableClock(Instant.parse("2026-01-01T10:00:00Z"));

  @BeforeEach
  void start() throws Exception {
    store = new InMemoryStore();
    // Sessions opened only by browser logins: no password login at all.
    f = new Fixture(store, dir, b -> b.sessions(SessionOptions.builder().clock(clock).build()));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** A browser's start: the redirect and the binding cookie. */
  record Started(String state, String binding, URI location, HttpResponse<String> response) {}

  private Started begin() {
    HttpResponse<String> r = f.call("GET", START, null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    String binding = cookieValue(r, "sluice_sso");
    return new Started(query(location.getRawQuery()).get("state"), binding, location, r);
  }

  private HttpResponse<String> callback(String query, String binding) {
    return binding == null ? f.call("GET", CALLBACK + "?" + query, null, null)
        : f.call("GET", CALLBACK + "?" + query, null, null, "Cookie", "sluice_sso=" + binding);
  }

  private String code(Principal who) {
    String code = "code-" + UUID.randomUUID();
    f.browserLogin.codes.put(code, who);
    return code;
  }

  @Test
  void theSessionListsTheBrowserLoginsAndNoPasswordLogin() throws Exception {
    JsonNode me = Fixture.JSON.readTree(f.call("GET", "/api/v1/session", null, null).body());
    assertThat(me.path("authenticated").asBoolean()).isFalse();
    assertThat(me.path("passwordLogin").asBoolean()).isFalse();
    assertThat(me.path("browserLogins")).hasSize(1);
    assertThat(me.path("browserLogins").get(0).path("id").asText()).isEqualTo("test");
    assertThat(me.path("browserLogins").get(0).path("label").asText()).isEqualTo("Test IdP");
    assertThat(me.path("browserLogins").get(0).path("href").asText()).isEqualTo(START);
    assertThat(f.call("POST", "/api/v1/session", null, "{\"username\":\"a\",\"password\":\"b\"}").statusCode())
        .as("no password login configured").isEqualTo(501);
  }

  @Test
  void aFullLoginOpensTheSameSessionAsThePasswordLogin() throws Exception {
    Started s = begin();
    assertThat(s.location().toString()).startsWith(FakeBrowserLogin.PROVIDER + "?");
    String callbackUrl = f.base + CALLBACK;
    assertThat(f.browserLogin.redirectUris).containsExactly(URI.create(callbackUrl));
    String bindingCookie = s.response().headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("sluice_sso=")).findFirst().orElseThrow();
    assertThat(bindingCookie).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/api/v1/session/sso")
        .contains("Max-Age=600").doesNotContain("Secure");
    assertThat(s.binding()).hasSizeGreaterThanOrEqualTo(40);

    HttpResponse<String> back = callback("state=" + s.state() + "&code=" + code(
        new Principal("erin", Set.of(BuiltInRoles.OPERATOR))), s.binding());
    assertThat(back.statusCode()).isEqualTo(302);
    assertThat(back.headers().firstValue("Location")).contains("/");
    List<String> cookies = back.headers().allValues("Set-Cookie");
    String session = cookies.stream().filter(c -> c.startsWith("sluice_session=")).findFirst().orElseThrow();
    assertThat(session).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/").contains("Max-Age=43200");
    assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("sluice_csrf=").doesNotContain("HttpOnly"));
    assertThat(cookies).as("the binding cookie is cleared").anySatisfy(c -> assertThat(c).startsWith("sluice_sso=;")
        .contains("Max-Age=0"));
    String sessionId = cookieValue(back, "sluice_session");

    JsonNode me = Fixture.JSON.readTree(f.call("GET", "/api/v1/session", null, null,
        "Cookie", "sluice_session=" + sessionId).body());
    assertThat(me.path("authenticated").asBoolean()).isTrue();
    assertThat(me.path("principal").path("name").asText()).isEqualTo("erin");
    assertThat(me.path("principal").path("roles").get(0).asText()).isEqualTo("operator");
    assertThat(me.path("csrfToken").asText()).isEqualTo(cookieValue(back, "sluice_csrf"));
    assertThat(f.call("GET", "/api/v1/pipelines", null, null, "Cookie", "sluice_session=" + sessionId).statusCode())
        .as("the cookie authenticates the API").isEqualTo(200);
    assertThat(f.call("POST", "/api/v1/pipelines/orders/runs", null, "{}", "Cookie", "sluice_session=" + sessionId)
        .statusCode()).as("state changes still need the CSRF token").isEqualTo(403);
    assertThat(f.call("POST", "/api/v1/pipelines/orders/runs", null, "{}", "Cookie", "sluice_session=" + sessionId,
        "X-CSRF-Token", me.path("csrfToken").asText()).statusCode()).isEqualTo(202);

    List<AuditEvent> audit = store.auditLog().orElseThrow().list(Long.MAX_VALUE, 10);
    assertThat(audit).anySatisfy(e -> {
      assertThat(e.actor()).isEqualTo("erin");
      assertThat(e.action()).isEqualTo("login");
      assertThat(e.success()).isTrue();
      assertThat(e.detail()).contains("browser login test");
    });
    assertThat(audit.toString()).doesNotContain(s.state()).doesNotContain(s.binding());
  }

  @Test
  void aStateIsUsedOnceAndUnknownOrTamperedStatesAreRefused() {
    Started s = begin();
    Principal erin = new Principal("erin", Set.of(BuiltInRoles.VIEWER));
    String query = "state=" + s.state() + "&code=" + code(erin);
    HttpResponse<String> first = callback(query, s.binding());
    assertThat(first.headers().firstValue("Location")).contains("/");

    f.browserLogin.codes.put(query.substring(query.indexOf("code=") + 5), erin); // even with a valid code again
    assertRefused(callback(query, s.binding()), "expired");
    assertRefused(callback("state=" + UUID.randomUUID() + UUID.randomUUID() + "&code=" + code(erin), s.binding()),
        "expired");
    Started t = begin();
    assertRefused(callback("state=" + t.state() + "x&code=" + code(erin), t.binding()), "expired");
    assertRefused(callback("code=" + code(erin), t.binding()), "expired");
    // Repeated parameters are refused outright rather than guessed at.
    Started u = begin();
    assertRefused(callback("state=" + u.state() + "&state=" + u.state() + "&code=" + code(erin), u.binding()), "failed");
  }

  @Test
  void aCallbackFromAnotherBrowserIsRefusedAndUsesTheStateUp() {
    Started s = begin();
    Principal erin = new Principal("erin", Set.of(BuiltInRoles.VIEWER));
    // Login CSRF: the attacker's own code and state, delivered to the victim's browser (no or another binding).
    assertRefused(callback("state=" + s.state() + "&code=" + code(erin), null), "browser");
    Started t = begin();
    assertRefused(callback("state=" + t.state() + "&code=" + code(erin), begin().binding()), "browser");
    assertRefused(callback("state=" + t.state() + "&code=" + code(erin), t.binding()), "expired");
  }

  @Test
  void providerErrorsAndExpiryRedirectToTheLoginPage() {
    Started s = begin();
    assertRefused(callback("state=" + s.state() + "&error=access_denied&error_description=%3Cscript%3E",
        s.binding()), "denied");
    Started t = begin();
    assertRefused(callback("state=" + t.state() + "&error=server_error", t.binding()), "provider");
    Started u = begin();
    assertRefused(callback("state=" + u.state() + "&code=unknown-code", u.binding()), "failed");

    Started late = begin();
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertRefused(callback("state=" + late.state() + "&code=" + code(new Principal("erin", Set.of())), late.binding()),
        "expired");

    f.browserLogin.beginFailure = new IllegalStateException("provider down");
    HttpResponse<String> r = f.call("GET", START, null, null);
    assertThat(r.statusCode()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).contains("/#login?error=unavailable");

    List<AuditEvent> audit = store.auditLog().orElseThrow().list(Long.MAX_VALUE, 50);
    assertThat(audit).anySatisfy(e -> {
      assertThat(e.success()).isFalse();
      assertThat(e.detail()).contains("browser login test refused (denied)");
    });
  }

  @Test
  void startedLoginsAreBoundedTheOldestGiveWay() {
    Started oldest = begin();
    Started second = begin();
    for (int i = 0; i < 5_000 - 2; i++) {
      assertThat(f.call("GET", START, null, null).statusCode()).isEqualTo(302);
    }
    Started last = begin(); // the 5001st: the oldest makes room
    Principal erin = new Principal("erin", Set.of(BuiltInRoles.VIEWER));
    assertRefused(callback("state=" + oldest.state() + "&code=" + code(erin), oldest.binding()), "expired");
    assertThat(callback("state=" + second.state() + "&code=" + code(erin), second.binding()).headers()
        .firstValue("Location")).contains("/");
    assertThat(callback("state=" + last.state() + "&code=" + code(erin), last.binding()).headers()
        .firstValue("Location")).contains("/");
  }

  @Test
  void anUnknownLoginIs404() throws Exception {
    HttpResponse<String> r = f.call("GET", "/api/v1/session/sso/nope", null, null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(Fixture.JSON.readTree(r.body()).path("detail").asText()).contains("no browser login 'nope'");
    assertThat(f.call("GET", "/api/v1/session/sso/nope/callback?state=x", null, null).statusCode()).isEqualTo(404);
  }

  @Test
  void theCallbackUrlIgnoresTheHostHeader() throws Exception {
    int port = URI.create(f.base).getPort();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + START + " HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String response = all.toString(StandardCharsets.ISO_8859_1);
      assertThat(response).startsWith("HTTP/1.1 302");
    }
    assertThat(f.browserLogin.redirectUris).containsExactly(URI.create(f.base + CALLBACK));
  }

  @Test
  void browserLoginsOffLoopbackNeedAPublicUrl() {
    BrowserLogin login = new FakeBrowserLogin();
    assertThatThrownBy(() -> ServerOptions.builder().host("0.0.0.0").browserLogin(login).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("publicUrl").hasMessageContaining("0.0.0.0");
    ServerOptions ok = ServerOptions.builder().host("0.0.0.0").browserLogin(login)
        .publicUrl(URI.create("https://sluice.example.com/")).build();
    assertThat(ok.publicUrl()).contains(URI.create("https://sluice.example.com"));
    assertThat(ok.sessions()).as("browser logins alone give the dashboard sessions").isPresent();
    assertThat(ok.sessions().orElseThrow().passwordLogin()).isEmpty();
    assertThatThrownBy(() -> ServerOptions.builder().publicUrl(URI.create("https://x.example/?a=b")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https://x.example/?a=b");
    assertThatThrownBy(() -> ServerOptions.builder().browserLogin(login).browserLogin(login))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'test' was already added");
  }

  @Test
  void behindAnHttpsPublicUrlTheCallbackAndCookiesFollowIt() throws Exception {
    f.close();
    f = new Fixture(new InMemoryStore(), java.nio.file.Files.createDirectories(dir.resolve("public")), b -> b
        .sessions(SessionOptions.builder().clock(clock).build())
        .publicUrl(URI.create("https://sluice.example.com/ops")));
    Started s = begin();
    assertThat(f.browserLogin.redirectUris).containsExactly(
        URI.create("https://sluice.example.com/ops/api/v1/session/sso/test/callback"));
    assertThat(s.response().headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
        .startsWith("sluice_sso=").contains("Secure").contains("Path=/ops/api/v1/session/sso"));
    HttpResponse<String> back = callback("state=" + s.state() + "&code=" + code(
        new Principal("erin", Set.of(BuiltInRoles.VIEWER))), s.binding());
    assertThat(back.headers().firstValue("Location")).contains("/ops/");
    assertThat(back.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
        .startsWith("sluice_session=").contains("Secure"));
  }

  private static void assertRefused(HttpResponse<String> r, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    assertThat(r.headers().firstValue("Location")).contains("/#login?error=" + code);
    assertThat(r.headers().allValues("Set-Cookie")).noneSatisfy(c -> assertThat(c).startsWith("sluice_session="));
  }

  private static String cookieValue(HttpResponse<String> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .map(c -> c.substring(name.length() + 1).split(";", 2)[0]).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + r.headers().allValues("Set-Cookie")));
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
}
