package dev.sluice.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.store.ConfigDocument;
import dev.sluice.store.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The test's own table of every route: the least built-in role that may call it (null: public),
 * and how to make a request that succeeds for anyone allowed. Written by hand from the issue's
 * access model, not read from the server, so that a route with the wrong permission fails the
 * matrix.
 */
final class RouteSamples {
  /** Who may call: the least role (viewer < operator < admin), or null for everyone. */
  record Sample(String method, String template, String minRole, int okStatus,
      BiFunction<Fixture, String, Req> request) {}

  /** A concrete request. */
  record Req(String path, String body, String contentType, Map<String, String> headers) {
    static Req of(String path) {
      return new Req(path, null, null, Map.of());
    }

    static Req json(String path, String body) {
      return new Req(path, body, "application/json", Map.of());
    }

    Req header(String name, String value) {
      Map<String, String> h = new java.util.LinkedHashMap<>(headers);
      h.put(name, value);
      return new Req(path, body, contentType, h);
    }
  }

  static final String V = "viewer";
  static final String O = "operator";
  static final String A = "admin";

  private static final String SPEC =
      "{\"source\":{\"type\":\"file\",\"path\":\"in.jsonl\"},\"rules\":[{\"name\":\"r\",\"to\":[\"all\"]}]}";

  static List<Sample> all(String runId) {
    List<Sample> all = new java.util.ArrayList<>(base(runId));
    all.addAll(localAuth());
    return all;
  }

  /** The local-auth routes (the fixture always runs with local authentication). */
  static List<Sample> localAuth() {
    return List.of(
        new Sample("POST", "/api/v1/auth/login", null, 200, (f, who) -> Req.json("/api/v1/auth/login",
            "{\"username\":\"" + Fixture.LOGIN_USER + "\",\"password\":\"" + f.loginPassword + "\"}")),
        new Sample("POST", "/api/v1/auth/refresh", null, 200, (f, who) -> Req.json("/api/v1/auth/refresh",
            "{\"refreshToken\":\"" + login(f).refreshToken() + "\"}")),
        new Sample("POST", "/api/v1/auth/logout", null, 204, (f, who) -> Req.json("/api/v1/auth/logout",
            "{\"refreshToken\":\"" + login(f).refreshToken() + "\"}")),
        new Sample("GET", "/api/v1/users", A, 200, (f, who) -> Req.of("/api/v1/users")),
        new Sample("POST", "/api/v1/users", A, 201, (f, who) -> Req.json("/api/v1/users",
            "{\"username\":\"u" + unique() + "\",\"password\":\"pw-" + UUID.randomUUID() + "\",\"roles\":[\"viewer\"]}")),
        new Sample("GET", "/api/v1/users/{username}", A, 200, (f, who) -> Req.of("/api/v1/users/" + Fixture.LOGIN_USER)),
        new Sample("DELETE", "/api/v1/users/{username}", A, 204, (f, who) -> Req.of("/api/v1/users/" + newUser(f))),
        new Sample("PUT", "/api/v1/users/{username}/roles", A, 200, (f, who) -> Req.json(
            "/api/v1/users/" + newUser(f) + "/roles", "{\"roles\":[\"operator\"]}")),
        new Sample("PUT", "/api/v1/users/{username}/password", A, 204, (f, who) -> Req.json(
            "/api/v1/users/" + newUser(f) + "/password", "{\"password\":\"pw-" + UUID.randomUUID() + "\"}")),
        new Sample("PUT", "/api/v1/users/{username}/enabled", A, 200, (f, who) -> Req.json(
            "/api/v1/users/" + newUser(f) + "/enabled", "{\"enabled\":false}")),
        new Sample("GET", "/api/v1/roles", A, 200, (f, who) -> Req.of("/api/v1/roles")),
        new Sample("GET", "/api/v1/api-keys", A, 200, (f, who) -> Req.of("/api/v1/api-keys")),
        new Sample("POST", "/api/v1/api-keys", A, 201, (f, who) -> Req.json("/api/v1/api-keys",
            "{\"name\":\"ci\",\"owner\":\"" + Fixture.LOGIN_USER + "\",\"roles\":[\"viewer\"]}")),
        new Sample("DELETE", "/api/v1/api-keys/{id}", A, 204, (f, who) -> Req.of("/api/v1/api-keys/"
            + f.localAuth.createApiKey(dev.sluice.auth.Actor.cli(), Fixture.LOGIN_USER, "tmp",
                java.util.Set.of("viewer"), null).info().id())),
        new Sample("GET", "/api/v1/audit", A, 200, (f, who) -> Req.of("/api/v1/audit?limit=5")));
  }

  private static dev.sluice.auth.TokenPair login(Fixture f) {
    return f.localAuth.login(Fixture.LOGIN_USER, f.loginPassword.toCharArray(), "127.0.0.1");
  }

  private static String newUser(Fixture f) {
    String name = "u" + unique();
    f.localAuth.createUser(dev.sluice.auth.Actor.cli(), name, ("pw-" + UUID.randomUUID()).toCharArray(),
        java.util.Set.of("viewer"));
    return name;
  }

  static List<Sample> base(String runId) {
    return List.of(
        new Sample("GET", "/health/live", null, 200, (f, who) -> Req.of("/health/live")),
        new Sample("GET", "/health/ready", null, 200, (f, who) -> Req.of("/health/ready")),
        new Sample("GET", "/openapi.yaml", null, 200, (f, who) -> Req.of("/openapi.yaml")),
        new Sample("GET", "/docs", null, 200, (f, who) -> Req.of("/docs")),
        new Sample("GET", "/docs/swagger-init.js", null, 200, (f, who) -> Req.of("/docs/swagger-init.js")),
        new Sample("POST", Fixture.WEBHOOK_PATH, null, 202, (f, who) -> {
          String body = "{\"id\":\"" + UUID.randomUUID() + "\",\"amount\":1}";
          return Req.json(Fixture.WEBHOOK_PATH, body)
              .header("X-Signature", f.hmac(body.getBytes(StandardCharsets.UTF_8)));
        }),
        new Sample("GET", "/api/v1/pipelines", V, 200, (f, who) -> Req.of("/api/v1/pipelines")),
        new Sample("POST", "/api/v1/pipelines", A, 201,
            (f, who) -> Req.json("/api/v1/pipelines", "{\"name\":\"made-" + unique() + "\",\"spec\":" + SPEC + "}")),
        new Sample("POST", "/api/v1/pipelines/validate", V, 200,
            (f, who) -> Req.json("/api/v1/pipelines/validate", "{\"name\":\"v\",\"spec\":" + SPEC + "}")),
        new Sample("GET", "/api/v1/pipelines/{name}", V, 200, (f, who) -> Req.of("/api/v1/pipelines/orders")),
        new Sample("PUT", "/api/v1/pipelines/{name}", A, 200, (f, who) -> {
          String name = "put-" + unique();
          storeDoc(f, name);
          return Req.json("/api/v1/pipelines/" + name, "{\"spec\":" + SPEC + "}").header("If-Match", "\"1\"");
        }),
        new Sample("DELETE", "/api/v1/pipelines/{name}", A, 204, (f, who) -> {
          String name = "del-" + unique();
          storeDoc(f, name);
          return Req.of("/api/v1/pipelines/" + name).header("If-Match", "\"1\"");
        }),
        new Sample("POST", "/api/v1/pipelines/{name}/runs", O, 202,
            (f, who) -> Req.json("/api/v1/pipelines/orders/runs", "{\"parameters\":{\"by\":\"matrix\"}}")),
        new Sample("POST", "/api/v1/pipelines/{name}/preview", V, 200,
            (f, who) -> Req.json("/api/v1/pipelines/orders/preview", "{\"records\":[{\"id\":\"p\",\"amount\":1000}]}")),
        new Sample("GET", "/api/v1/pipelines/{name}/checkpoint", V, 200,
            (f, who) -> Req.of("/api/v1/pipelines/orders/checkpoint")),
        new Sample("DELETE", "/api/v1/pipelines/{name}/checkpoint", O, 204, (f, who) -> {
          long version = f.store.checkpoints().position("orders").map(p -> p.version()).orElse(0L);
          return Req.of("/api/v1/pipelines/orders/checkpoint").header("If-Match", "\"" + version + "\"");
        }),
        new Sample("GET", "/api/v1/runs", V, 200, (f, who) -> Req.of("/api/v1/runs?limit=5")),
        new Sample("GET", "/api/v1/runs/{id}", V, 200, (f, who) -> Req.of("/api/v1/runs/" + runId)),
        // The sample run has ended: cancelling it is a conflict, which still proves the caller got in.
        new Sample("POST", "/api/v1/runs/{id}/cancel", O, 409, (f, who) -> Req.of("/api/v1/runs/" + runId + "/cancel")),
        new Sample("GET", "/api/v1/runs/{id}/events", V, 200,
            (f, who) -> Req.of("/api/v1/runs/" + runId + "/events").header("Accept", "text/event-stream")),
        new Sample("GET", "/api/v1/dead-letters", V, 200, (f, who) -> Req.of("/api/v1/dead-letters?limit=10")),
        new Sample("GET", "/api/v1/dead-letters/{id}", V, 200,
            (f, who) -> Req.of("/api/v1/dead-letters/" + deadLetter(f))),
        new Sample("DELETE", "/api/v1/dead-letters/{id}", O, 204,
            (f, who) -> Req.of("/api/v1/dead-letters/" + deadLetter(f))),
        new Sample("POST", "/api/v1/dead-letters/{id}/replay", O, 200,
            (f, who) -> Req.of("/api/v1/dead-letters/" + deadLetter(f) + "/replay")),
        new Sample("POST", "/api/v1/dead-letters/replay", O, 200,
            (f, who) -> Req.json("/api/v1/dead-letters/replay", "{\"pipeline\":\"no-such\"}")),
        new Sample("POST", "/api/v1/dead-letters/purge", O, 200,
            (f, who) -> Req.json("/api/v1/dead-letters/purge", "{\"destination\":\"no-such\"}")),
        new Sample("GET", "/api/v1/destinations", V, 200, (f, who) -> Req.of("/api/v1/destinations")),
        new Sample("GET", "/api/v1/connectors", V, 200, (f, who) -> Req.of("/api/v1/connectors")),
        // Outbound traffic: operators and up. "all" offers no check (unsupported); the file source does.
        new Sample("POST", "/api/v1/destinations/{name}/test", O, 200,
            (f, who) -> Req.of("/api/v1/destinations/all/test?timeoutSeconds=5")),
        new Sample("POST", "/api/v1/pipelines/{name}/source/test", O, 200,
            (f, who) -> Req.of("/api/v1/pipelines/orders/source/test")),
        new Sample("GET", "/api/v1/plugins", V, 200, (f, who) -> Req.of("/api/v1/plugins")),
        new Sample("GET", "/api/v1/config/schema", V, 200, (f, who) -> Req.of("/api/v1/config/schema")),
        new Sample("POST", "/api/v1/config/validate", V, 200, (f, who) -> new Req("/api/v1/config/validate",
            "pipelines:\n  p:\n    source: { type: file, path: x.jsonl }\n    rules: [ { name: r, to: [ d ] } ]\n"
                + "destinations:\n  d: { type: log }\n", "application/yaml", Map.of())),
        new Sample("GET", "/api/v1/secrets", O, 200, (f, who) -> Req.of("/api/v1/secrets")),
        new Sample("PUT", "/api/v1/secrets/{name}", A, 201,
            (f, who) -> Req.json("/api/v1/secrets/s-" + unique(), "{\"value\":\"" + UUID.randomUUID() + "\"}")),
        new Sample("DELETE", "/api/v1/secrets/{name}", A, 204, (f, who) -> {
          String name = "d-" + unique();
          f.call("PUT", "/api/v1/secrets/" + name, A, "{\"value\":\"" + UUID.randomUUID() + "\"}");
          return Req.of("/api/v1/secrets/" + name);
        }),
        new Sample("GET", "/metrics", V, 200, (f, who) -> Req.of("/metrics")),
        new Sample("GET", "/api/v1/pipelines/{name}/schedule", V, 200,
            (f, who) -> Req.of("/api/v1/pipelines/orders/schedule")),
        new Sample("GET", "/api/v1/session", null, 200, (f, who) -> Req.of("/api/v1/session")),
        new Sample("POST", "/api/v1/session", null, 200, (f, who) -> Req.json("/api/v1/session",
            "{\"username\":\"operator-user\",\"password\":\"" + f.dashboardPassword + "\"}")),
        new Sample("DELETE", "/api/v1/session", null, 204, (f, who) -> Req.of("/api/v1/session")),
        // Browser logins: public like the password login (the provider authenticates); both redirect.
        new Sample("GET", "/api/v1/session/sso/{id}", null, 302, (f, who) -> Req.of("/api/v1/session/sso/test")),
        new Sample("GET", "/api/v1/session/sso/{id}/callback", null, 302,
            (f, who) -> Req.of("/api/v1/session/sso/test/callback?state=unknown-" + unique() + "&code=x")));
  }

  private static String unique() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static void storeDoc(Fixture f, String name) {
    try {
      f.store.pipelines().orElseThrow().put(ConfigDocument.Kind.PIPELINE, name,
          (ObjectNode) Fixture.JSON.readTree(SPEC), 0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A dead letter of destination {@code all} (which accepts it on replay); its id. */
  private static long deadLetter(Fixture f) {
    ObjectNode data = Fixture.JSON.createObjectNode().put("id", "dl-" + unique()).put("amount", 5);
    Instant now = Instant.now();
    return f.store.deadLetters().add(new DeadLetter(0, "orders", "all", "run-matrix", data.path("id").asText(),
        RecordCodec.toJson(Record.of(data.path("id").asText(), data)), null, "refused in a test", 1, now, now)).id();
  }

  /** Sends a sample as {@code role} (null: anonymously). */
  static java.net.http.HttpResponse<String> send(Fixture f, Sample s, String role) {
    Req r = s.request().apply(f, role);
    java.util.List<String> headers = new java.util.ArrayList<>();
    r.headers().forEach((k, v) -> {
      headers.add(k);
      headers.add(v);
    });
    if (r.contentType() != null) {
      headers.add("Content-Type");
      headers.add(r.contentType());
    }
    return f.call(s.method(), r.path(), role, r.body(), headers.toArray(new String[0]));
  }

  private RouteSamples() {}
}
