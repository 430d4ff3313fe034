package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.auth.Principal;
import dev.sluice.store.InMemoryStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's cookie session over real HTTP: cookie flags, CSRF on state-changing requests,
 * the same 401 for a wrong password and an unknown user, the per-address login rate limit,
 * idle/absolute expiry on an injected clock, logout, and the security headers of the dashboard.
 */
class SessionSecurityTest {
  @TempDir Path dir;
  Fixture f;
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
  final String password = UUID.randomUUID().toString();
  final String secondPassword = UUID.randomUUID().toString();

  @BeforeEach
  void start() throws Exception {
    PasswordLogin login = (user, pw, address) -> {
      String p = new String(pw);
      if (user.equals("ops") && p.equals(password)) {
        return Optional.of(new Principal("ops", Set.of(BuiltInRoles.OPERATOR)));
      }
      if (user.equals("watcher") && p.equals(secondPassword)) {
        return Optional.of(new Principal("watcher", Set.of(BuiltInRoles.VIEWER)));
      }
      return Optional.empty();
    };
    f = new Fixture(new InMemoryStore(), dir, b -> b.sessions(SessionOptions.builder(login)
        .clock(clock)
        .idleTimeout(Duration.ofMinutes(30))
        .absoluteTimeout(Duration.ofHours(2))
        .loginRateLimit(3, Duration.ofMinutes(1))
        .build()));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private HttpResponse<String> login(String user, String pw) {
    return f.call("POST", "/api/v1/session", null,
        "{\"username\":\"" + user + "\",\"password\":\"" + pw + "\"}");
  }

  /** The Cookie header a browser sends after this login: "sluice_session=...; sluice_csrf=...". */
  private static String cookieOf(HttpResponse<String> r) {
    List<String> set = r.headers().allValues("Set-Cookie");
    if (set.isEmpty()) {
      throw new AssertionError("no Set-Cookie: " + r);
    }
    return String.join("; ", set.stream().map(v -> v.split(";")[0].trim()).toList());
  }

  /** The session id the login set. */
  private static String sessionId(HttpResponse<String> r) {
    String first = r.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0].trim();
    assertThat(first).startsWith("sluice_session=");
    return first.substring("sluice_session=".length());
  }

  @Test
  void loginSetsAStrictHttpOnlyCookieAndTheCookieAuthenticates() {
    HttpResponse<String> r = login("ops", password);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> attributes = List.of(r.headers().firstValue("Set-Cookie").orElseThrow().split(";\\s*"));
    assertThat(attributes.get(0)).startsWith("sluice_session=").hasSizeGreaterThan("sluice_session=".length() + 40);
    assertThat(attributes).contains("HttpOnly", "SameSite=Strict", "Path=/").doesNotContain("Secure");
    JsonNode body = Fixture.json(r);
    assertThat(body.path("principal").path("name").asText()).isEqualTo("ops");
    assertThat(body.path("csrfToken").asText()).hasSizeGreaterThanOrEqualTo(43);
    assertThat(r.body()).doesNotContain(password).doesNotContain(sessionId(r));
    // The CSRF token also rides in a script-readable cookie (double submit), never the session id.
    List<String> csrfCookie = List.of(r.headers().allValues("Set-Cookie").get(1).split(";\\s*"));
    assertThat(csrfCookie.get(0)).isEqualTo("sluice_csrf=" + Fixture.json(r).path("csrfToken").asText());
    assertThat(csrfCookie).contains("SameSite=Strict").doesNotContain("HttpOnly");

    String cookie = cookieOf(r);
    JsonNode me = Fixture.json(f.call("GET", "/api/v1/session", null, null, "Cookie", cookie));
    assertThat(me.path("authenticated").asBoolean()).isTrue();
    assertThat(me.path("csrfToken").asText()).isEqualTo(body.path("csrfToken").asText());
    assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", cookie).statusCode()).isEqualTo(200);
    // The session's roles apply: an operator may not write pipelines.
    assertThat(f.call("DELETE", "/api/v1/pipelines/orders", null, null, "Cookie", cookie,
        "X-CSRF-Token", body.path("csrfToken").asText(), "If-Match", "\"1\"").statusCode()).isEqualTo(403);
    // Two logins are two sessions with their own ids and tokens.
    HttpResponse<String> again = login("ops", password);
    assertThat(cookieOf(again)).isNotEqualTo(cookie);
    assertThat(Fixture.json(again).path("csrfToken").asText()).isNotEqualTo(body.path("csrfToken").asText());
  }

  @Test
  void withoutASessionWhoAmISaysSoAndProtectedRoutesAnswer401() {
    JsonNode me = Fixture.json(f.get("/api/v1/session", null));
    assertThat(me.path("authenticated").asBoolean()).isFalse();
    assertThat(me.path("passwordLogin").asBoolean()).isTrue();
    assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", "sluice_session=forged").statusCode()).isEqualTo(401);
  }

  @Test
  void theCookieIsSecureWhenTheOptionsSaySo() throws Exception {
    f.close();
    java.nio.file.Files.createDirectories(dir.resolve("secure"));
    f = new Fixture(new InMemoryStore(), dir.resolve("secure"), b -> b.sessions(SessionOptions.builder(
        (u, p, a) -> u.equals("ops") && new String(p).equals(password)
            ? Optional.of(new Principal("ops", Set.of(BuiltInRoles.OPERATOR))) : Optional.empty())
        .secureCookie(true).build()));
    HttpResponse<String> r = login("ops", password);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(List.of(r.headers().firstValue("Set-Cookie").orElseThrow().split(";\\s*")))
        .contains("Secure", "HttpOnly", "SameSite=Strict");
  }

  @Test
  void stateChangingCookieRequestsNeedTheCsrfToken() {
    HttpResponse<String> r = login("ops", password);
    String cookie = cookieOf(r);
    String csrf = Fixture.json(r).path("csrfToken").asText();

    HttpResponse<String> missing = f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookie);
    assertThat(missing.statusCode()).isEqualTo(403);
    assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(Fixture.json(missing).path("type").asText()).endsWith("/csrf-token-missing");

    HttpResponse<String> wrong = f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookie,
        "X-CSRF-Token", csrf.substring(1) + "x");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(Fixture.json(wrong).path("type").asText()).endsWith("/csrf-token-invalid");

    // Another session's token is no good either.
    String otherCsrf = Fixture.json(login("ops", password)).path("csrfToken").asText();
    assertThat(f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookie,
        "X-CSRF-Token", otherCsrf).statusCode()).isEqualTo(403);

    HttpResponse<String> ok = f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookie,
        "X-CSRF-Token", csrf);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
    // Reads need no token.
    assertThat(f.call("GET", "/api/v1/pipelines", null, null, "Cookie", cookie).statusCode()).isEqualTo(200);
    // Bearer-token callers need no CSRF token, even when a session cookie rides along.
    assertThat(f.call("POST", "/api/v1/pipelines/orders/runs", "operator", null, "Cookie", cookie).statusCode())
        .isEqualTo(202);
  }

  @Test
  void aWrongPasswordAndAnUnknownUserGetTheSame401() {
    HttpResponse<String> wrongPassword = login("ops", "not-" + password);
    HttpResponse<String> unknownUser = login("nobody-" + UUID.randomUUID(), password);
    assertThat(wrongPassword.statusCode()).isEqualTo(401);
    assertThat(unknownUser.statusCode()).isEqualTo(401);
    JsonNode a = Fixture.json(wrongPassword);
    JsonNode b = Fixture.json(unknownUser);
    assertThat(a.path("type")).isEqualTo(b.path("type"));
    assertThat(a.path("detail")).isEqualTo(b.path("detail"));
    assertThat(a.path("detail").asText()).doesNotContain("ops").doesNotContain("exist");
    assertThat(wrongPassword.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(wrongPassword.body()).doesNotContain(password);
  }

  @Test
  void strictBodiesAreRequired() {
    HttpResponse<String> extra = f.call("POST", "/api/v1/session", null,
        "{\"username\":\"ops\",\"password\":\"" + password + "\",\"remember\":true}");
    assertThat(extra.statusCode()).isEqualTo(400);
    assertThat(extra.body()).contains("remember").doesNotContain(password);
    assertThat(f.call("POST", "/api/v1/session", null, "{\"username\":\"ops\"}").statusCode()).isEqualTo(400);
    assertThat(f.call("POST", "/api/v1/session", null, "user=ops", "Content-Type", "application/x-www-form-urlencoded")
        .statusCode()).isEqualTo(415);
  }

  @Test
  void tooManyFailuresFromAnAddressAre429UntilTheWindowPasses() {
    for (int i = 0; i < 3; i++) {
      assertThat(login("ops", "wrong-" + i).statusCode()).isEqualTo(401);
    }
    HttpResponse<String> limited = login("ops", password);
    assertThat(limited.statusCode()).as("even the right password waits").isEqualTo(429);
    long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(Fixture.json(limited).path("type").asText()).endsWith("/too-many-login-failures");
    assertThat(limited.headers().firstValue("Set-Cookie")).isEmpty();

    clock.advance(Duration.ofSeconds(retryAfter));
    assertThat(login("ops", password).statusCode()).isEqualTo(200);
  }

  @Test
  void sessionsEndWhenIdleAndAfterTheAbsoluteLimit() {
    String cookie = cookieOf(login("ops", password));
    clock.advance(Duration.ofMinutes(29));
    assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", cookie).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(30));
    assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", cookie).statusCode()).as("idle 30 min").isEqualTo(401);
    assertThat(Fixture.json(f.call("GET", "/api/v1/session", null, null, "Cookie", cookie))
        .path("authenticated").asBoolean()).isFalse();

    String busy = cookieOf(login("ops", password));
    for (int i = 0; i < 4; i++) { // used every 25 minutes: never idle, but 2 h is the limit
      clock.advance(Duration.ofMinutes(25));
      assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", busy).statusCode()).isEqualTo(200);
    }
    clock.advance(Duration.ofMinutes(25));
    assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", busy).statusCode()).as("absolute 2 h").isEqualTo(401);
  }

  @Test
  void logoutNeedsTheTokenEndsTheSessionAndClearsTheCookie() {
    HttpResponse<String> r = login("watcher", secondPassword);
    String cookie = cookieOf(r);
    String csrf = Fixture.json(r).path("csrfToken").asText();
    assertThat(f.call("DELETE", "/api/v1/session", null, null, "Cookie", cookie).statusCode()).isEqualTo(403);
    HttpResponse<String> out = f.call("DELETE", "/api/v1/session", null, null, "Cookie", cookie, "X-CSRF-Token", csrf);
    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("sluice_session=;").contains("Max-Age=0");
    assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void neitherPasswordsNorSessionIdsNorCsrfTokensReachTheLog() {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    String cookie;
    String csrf;
    String id;
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      login("ops", "not-" + password);
      HttpResponse<String> r = login("ops", password);
      cookie = cookieOf(r);
      id = sessionId(r);
      csrf = Fixture.json(r).path("csrfToken").asText();
      f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookie, "X-CSRF-Token", "wrong");
      f.call("DELETE", "/api/v1/session", null, null, "Cookie", cookie, "X-CSRF-Token", csrf);
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).as("the login is logged").contains("dashboard login: ops");
    assertThat(log).doesNotContain(password).doesNotContain(id).doesNotContain(csrf);
  }

  @Test
  void theDashboardIsServedWithStrictSecurityHeaders() {
    HttpResponse<String> page = f.get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp).contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    assertThat(page.body()).doesNotContainPattern("(?i)<script(?![^>]*\\ssrc=)[^>]*>") // no inline scripts
        .doesNotContainPattern("(?i)\\son[a-z]+=") // no inline handlers
        .doesNotContainPattern("(?i)<style|\\sstyle=");
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }
}
