package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Login, refresh, logout, API keys and the audit log over HTTP, on the JDBC store (H2). */
class LocalAuthApiTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void start() throws Exception {
    f = new Fixture(JdbcStore.open(JdbcStoreOptions.builder().url("jdbc:h2:file:" + dir.resolve("db")).build()), dir);
    assertThat(f.localAuth).as("the JDBC store offers local authentication").isNotNull();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private HttpResponse<String> login(String password) {
    return f.call("POST", "/api/v1/auth/login", null,
        "{\"username\":\"" + Fixture.LOGIN_USER + "\",\"password\":\"" + password + "\"}");
  }

  @Test
  void loginGivesTokensThatCarryTheUsersRoles() {
    HttpResponse<String> bad = login("wrong-" + f.loginPassword);
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(Fixture.json(bad).path("type").asText()).isEqualTo("https://sluice.dev/problems/invalid-credentials");
    assertThat(bad.body()).doesNotContain(f.loginPassword);

    HttpResponse<String> ok = login(f.loginPassword);
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonNode tokens = Fixture.json(ok);
    assertThat(tokens.path("tokenType").asText()).isEqualTo("Bearer");
    String access = tokens.path("accessToken").asText();
    // olivia is an operator: she may trigger runs but not manage users.
    assertThat(f.call("GET", "/api/v1/runs", access, null).statusCode()).isEqualTo(200);
    assertThat(f.call("GET", "/api/v1/users", access, null).statusCode()).isEqualTo(403);
    assertThat(f.call("GET", "/api/v1/runs", access + "x", null).statusCode()).isEqualTo(401);

    String refresh = tokens.path("refreshToken").asText();
    HttpResponse<String> renewed = f.call("POST", "/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}");
    assertThat(renewed.statusCode()).isEqualTo(200);
    HttpResponse<String> reused = f.call("POST", "/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + refresh + "\"}");
    assertThat(reused.statusCode()).isEqualTo(401);
    assertThat(Fixture.json(reused).path("type").asText()).isEqualTo("https://sluice.dev/problems/token-reused");

    String second = Fixture.json(login(f.loginPassword)).path("refreshToken").asText();
    assertThat(f.call("POST", "/api/v1/auth/logout", null, "{\"refreshToken\":\"" + second + "\"}").statusCode())
        .isEqualTo(204);
    assertThat(f.call("POST", "/api/v1/auth/refresh", null, "{\"refreshToken\":\"" + second + "\"}").statusCode())
        .isEqualTo(401);
  }

  @Test
  void localUsersSignIntoTheDashboardWithAnHttpOnlyCookieAndCsrfProtection() throws Exception {
    // No password login of the host's own: the server falls back to the local users.
    f.server.stop();
    f = new Fixture(JdbcStore.open(JdbcStoreOptions.builder().url("jdbc:h2:file:" + dir.resolve("db2")).build()), dir,
        o -> o.sessions(null));
    HttpResponse<String> started = f.call("POST", "/api/v1/session", null,
        "{\"username\":\"" + Fixture.LOGIN_USER + "\",\"password\":\"" + f.loginPassword + "\"}");
    assertThat(started.statusCode()).isEqualTo(200);
    java.util.List<String> cookies = started.headers().allValues("Set-Cookie");
    String session = cookies.stream().filter(k -> k.startsWith("sluice_session=")).findFirst().orElseThrow();
    assertThat(session).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
    String csrfCookie = cookies.stream().filter(k -> k.startsWith("sluice_csrf=")).findFirst().orElseThrow();
    assertThat(csrfCookie).doesNotContain("HttpOnly").contains("SameSite=Strict");
    String csrf = Fixture.json(started).path("csrfToken").asText();
    assertThat(csrfCookie).startsWith("sluice_csrf=" + csrf + ";");
    String cookieHeader = session.substring(0, session.indexOf(';')) + "; sluice_csrf=" + csrf;

    assertThat(f.call("GET", "/api/v1/runs", null, null, "Cookie", cookieHeader).statusCode()).isEqualTo(200);
    HttpResponse<String> noCsrf = f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookieHeader);
    assertThat(noCsrf.statusCode()).isEqualTo(403);
    assertThat(Fixture.json(noCsrf).path("type").asText()).isEqualTo("https://sluice.dev/problems/csrf-token-missing");
    assertThat(f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookieHeader,
        "X-CSRF-Token", "forged").statusCode()).isEqualTo(403);
    assertThat(f.call("POST", "/api/v1/pipelines/orders/runs", null, null, "Cookie", cookieHeader,
        "X-CSRF-Token", csrf).statusCode()).isEqualTo(202);
    // Server-Sent Events from EventSource, which can't send headers, work with the cookie.
    String run = f.runOrders();
    assertThat(f.call("GET", "/api/v1/runs/" + run + "/events", null, null, "Cookie", cookieHeader,
        "Accept", "text/event-stream").body()).contains("event: end");

    HttpResponse<String> ended = f.call("DELETE", "/api/v1/session", null, null, "Cookie", cookieHeader,
        "X-CSRF-Token", csrf);
    assertThat(ended.statusCode()).isEqualTo(204);
    assertThat(ended.headers().allValues("Set-Cookie")).anyMatch(k -> k.startsWith("sluice_session=;")
        && k.contains("Max-Age=0"));
  }

  @Test
  void repeatedFailedLoginsAreThrottled() {
    int status = 0;
    for (int i = 0; i < 30 && status != 429; i++) {
      status = login("wrong-" + i).statusCode();
    }
    assertThat(status).isEqualTo(429);
    HttpResponse<String> locked = login(f.loginPassword);
    assertThat(locked.statusCode()).as("even the right password while locked").isEqualTo(429);
    assertThat(locked.headers().firstValue("Retry-After")).isPresent();
    assertThat(Fixture.json(locked).path("type").asText()).isEqualTo("https://sluice.dev/problems/locked-out");
  }

  @Test
  void apiKeysAreShownOnceWorkAndCanBeRevoked() {
    HttpResponse<String> created = f.call("POST", "/api/v1/api-keys", "admin",
        "{\"name\":\"grafana\",\"owner\":\"" + Fixture.LOGIN_USER + "\",\"roles\":[\"viewer\"]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String key = Fixture.json(created).path("key").asText();
    String id = Fixture.json(created).path("id").asText();
    assertThat(key).isNotBlank();
    HttpResponse<String> list = f.get("/api/v1/api-keys", "admin");
    assertThat(list.body()).contains(id).doesNotContain(key);
    assertThat(f.call("GET", "/metrics", key, null).statusCode()).isEqualTo(200);
    assertThat(f.call("POST", "/api/v1/pipelines/orders/runs", key, null).statusCode()).isEqualTo(403);
    assertThat(f.call("DELETE", "/api/v1/api-keys/" + id, "admin", null).statusCode()).isEqualTo(204);
    assertThat(f.call("GET", "/metrics", key, null).statusCode()).isEqualTo(401);

    JsonNode audit = Fixture.json(f.get("/api/v1/audit?limit=50", "admin"));
    assertThat(audit.path("items").toString()).contains("api-key.create").contains("api-key.revoke")
        .doesNotContain(key);
  }

  @Test
  void usersAreManagedAndPasswordsNeverReturned() {
    String password = "pw-" + java.util.UUID.randomUUID();
    HttpResponse<String> created = f.call("POST", "/api/v1/users", "admin",
        "{\"username\":\"vic\",\"password\":\"" + password + "\",\"roles\":[\"viewer\"]}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.body()).doesNotContain(password);
    assertThat(f.call("POST", "/api/v1/users", "admin",
        "{\"username\":\"vic\",\"password\":\"" + password + "\",\"roles\":[\"viewer\"]}").statusCode()).isEqualTo(409);
    HttpResponse<String> weak = f.call("POST", "/api/v1/users", "admin",
        "{\"username\":\"weak\",\"password\":\"short\",\"roles\":[\"viewer\"]}");
    assertThat(weak.statusCode()).isEqualTo(422);
    assertThat(weak.body()).doesNotContain("\"short\"");
    assertThat(f.call("PUT", "/api/v1/users/vic/roles", "admin", "{\"roles\":[\"nosuchrole\"]}").statusCode())
        .isEqualTo(400);
    assertThat(Fixture.json(f.call("PUT", "/api/v1/users/vic/roles", "admin", "{\"roles\":[\"operator\"]}"))
        .path("roles").toString()).contains("operator");
    assertThat(f.get("/api/v1/users", "admin").body()).contains("vic").doesNotContain(password);
    assertThat(f.call("DELETE", "/api/v1/users/vic", "admin", null).statusCode()).isEqualTo(204);
    assertThat(f.get("/api/v1/users/vic", "admin").statusCode()).isEqualTo(404);
  }
}
