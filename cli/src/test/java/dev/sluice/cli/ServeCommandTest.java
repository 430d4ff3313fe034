package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice serve} on an H2 file store: the REST API answers on loopback, API keys made with
 * {@code sluice api-keys create} authenticate, roles decide, {@code /metrics} and the health
 * endpoints answer, and stopping it (what SIGTERM does) ends the command with exit code 0.
 */
class ServeCommandTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void clearSeam() {
    ServeCommand.startedListener = null;
  }

  private SluiceCliTest.Result cli(Path config, String stdin, String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-c";
    all[args.length + 1] = config.toString();
    InputStream original = System.in;
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      return SluiceCliTest.sluice(all);
    } finally {
      System.setIn(original);
    }
  }

  private HttpResponse<String> get(int port, String path, String apiKey) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20));
    if (apiKey != null) {
      b.header("X-API-Key", apiKey);
    }
    return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path, String apiKey, String json) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json");
    if (apiKey != null) {
      b.header("X-API-Key", apiKey);
    }
    return http.send(b.POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code sluice serve -c config}, started on another thread and listening. */
  private record Serving(int port, Runnable stopAction, CompletableFuture<SluiceCliTest.Result> command) {
    void stop() {
      stopAction.run();
    }

    /** What the command printed and returned once stopped. */
    SluiceCliTest.Result ended() throws Exception {
      return command.get(60, TimeUnit.SECONDS);
    }
  }

  private static Serving serve(Path config) throws Exception {
    AtomicInteger port = new AtomicInteger();
    AtomicReference<Runnable> stop = new AtomicReference<>();
    CompletableFuture<Void> listening = new CompletableFuture<>();
    ServeCommand.startedListener = (server, stopAction) -> {
      port.set(server.port());
      stop.set(stopAction);
      listening.complete(null);
    };
    CompletableFuture<SluiceCliTest.Result> serve =
        CompletableFuture.supplyAsync(() -> SluiceCliTest.sluice("serve", "-c", config.toString()));
    CompletableFuture.anyOf(listening, serve).get(60, TimeUnit.SECONDS);
    assertThat(listening).as("the server listens (command output: %s)",
        serve.isDone() ? serve.get().out() + serve.get().err() : "").isDone();
    return new Serving(port.get(), stop.get(), serve);
  }

  @Test
  void servesTheApiToApiKeysWithTheirRolesAndStopsCleanly() throws Exception {
    Files.writeString(dir.resolve("orders.jsonl"), "{\"id\":1,\"amount\":5}\n{\"id\":2,\"amount\":5000}\n");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, "store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/sluice") + "\" }\n"
        + "secrets:\n  key: master-" + UUID.randomUUID() + "\n"
        + "server: { host: 127.0.0.1, port: 0 }\n"
        + "destinations:\n  all: { type: file, path: \"" + dir.resolve("out/all.jsonl") + "\" }\n"
        + "pipelines:\n  orders:\n    source: { type: file, path: \"" + dir.resolve("orders.jsonl") + "\", key: id }\n"
        + "    rules:\n      - { name: everything, to: all }\n");
    SluiceCliTest.Result op = cli(config, "", "api-keys", "create", "--name", "ops", "--owner", "ops", "--role", "operator");
    assertThat(op.exit()).as(op.err()).isZero();
    String operatorKey = op.out().strip();
    String viewerKey = cli(config, "", "api-keys", "create", "--name", "view", "--owner", "view", "--role", "viewer")
        .out().strip();
    assertThat(operatorKey).startsWith("sluice_ak_");
    String password = "pw-" + UUID.randomUUID();
    SluiceCliTest.Result user = cli(config, password + "\n", "users", "add", "ada", "--role", "viewer");
    assertThat(user.exit()).as(user.err()).isZero();

    Serving serving = serve(config);
    try {
      int p = serving.port();

      assertThat(get(p, "/health/live", null).statusCode()).isEqualTo(200);
      assertThat(get(p, "/health/ready", null).statusCode()).isEqualTo(200);
      assertThat(get(p, "/api/v1/pipelines", null).statusCode()).as("no credentials").isEqualTo(401);
      assertThat(get(p, "/api/v1/pipelines", "sluice_ak_" + "x".repeat(46)).statusCode()).as("unknown key")
          .isEqualTo(401);
      HttpResponse<String> pipelines = get(p, "/api/v1/pipelines", viewerKey);
      assertThat(pipelines.statusCode()).isEqualTo(200);
      assertThat(pipelines.body()).contains("orders");

      // A local user logs in and uses the access token as a bearer token.
      HttpResponse<String> login = post(p, "/api/v1/auth/login", null,
          "{\"username\":\"ada\",\"password\":\"" + password + "\"}");
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      String token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(login.body()).path("accessToken").asText();
      HttpResponse<String> asAda = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/api/v1/pipelines"))
          .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(asAda.statusCode()).isEqualTo(200);
      assertThat(post(p, "/api/v1/auth/login", null, "{\"username\":\"ada\",\"password\":\"wrong-" + password + "\"}")
          .statusCode()).isEqualTo(401);

      assertThat(post(p, "/api/v1/pipelines/orders/runs", viewerKey, "{}").statusCode())
          .as("a viewer may not trigger runs").isEqualTo(403);
      HttpResponse<String> triggered = post(p, "/api/v1/pipelines/orders/runs", operatorKey, "{}");
      assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
      assertThat(triggered.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("/api/v1/runs/"));

      HttpResponse<String> metrics = get(p, "/metrics", operatorKey);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("# TYPE").contains("jvm_memory");
    } finally {
      serving.stop();
    }
    SluiceCliTest.Result ended = serving.ended();
    assertThat(ended.exit()).as(ended.err()).isZero();
    assertThat(ended.out()).contains("serving 1 pipeline(s) on http://127.0.0.1:").contains("sluice: stopped");
    assertThat(ended.out() + ended.err()).doesNotContain(operatorKey).doesNotContain(viewerKey).doesNotContain(password);
  }

  @Test
  void servesHttpsFromPemFilesNamedRelativeToTheConfiguration() throws Exception {
    Files.createDirectories(dir.resolve("tls"));
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", "tls/tls.key", "-out", "tls/tls.crt", "-days", "2", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).start();
    String made = new String(openssl.getInputStream().readAllBytes());
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(made).isZero();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, "server:\n  host: 127.0.0.1\n  port: 0\n"
        + "  tls: { certificate: tls/tls.crt, privateKey: tls/tls.key }\n"
        + "destinations:\n  all: { type: log }\n"
        + "pipelines:\n  orders:\n    source: { type: webhook }\n    rules:\n      - { name: everything, to: all }\n");

    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("tls/tls.crt"))) {
      trust.setCertificateEntry("server", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();

    Serving serving = serve(config);
    try {
      HttpResponse<String> live = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + serving.port()
          + "/health/live")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
    } finally {
      serving.stop();
    }
    SluiceCliTest.Result ended = serving.ended();
    assertThat(ended.exit()).as(ended.err()).isZero();
    assertThat(ended.out()).contains("on https://127.0.0.1:");
  }

  @Test
  void aKeycloakDashboardLoginIsOfferedOnTheSignInPage() throws Exception {
    Files.writeString(dir.resolve("orders.jsonl"), "{\"id\":1}\n");
    // Nothing listens on port 1: the provider is unreachable, which the start of a login reports.
    String auth = "auth:\n  authenticators:\n    - type: keycloak\n      issuer: http://127.0.0.1:1/realms/acme\n"
        + "      audience: sluice\n      clientId: sluice-dashboard\n"
        + "      dashboardLogin: { scopes: [email], label: ACME SSO }\n";
    String pipelines = "store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/sluice") + "\" }\n"
        + "destinations:\n  all: { type: file, path: \"" + dir.resolve("out/all.jsonl") + "\" }\n"
        + "pipelines:\n  orders:\n    source: { type: file, path: \"" + dir.resolve("orders.jsonl") + "\", key: id }\n"
        + "    rules:\n      - { name: everything, to: all }\n";
    Path offLoopback = dir.resolve("public.yaml");
    Files.writeString(offLoopback, "server: { host: 0.0.0.0, port: 0 }\n" + auth + pipelines);
    SluiceCliTest.Result refused = SluiceCliTest.sluice("serve", "-c", offLoopback.toString());
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err()).contains("publicUrl").contains("0.0.0.0");

    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, "server: { host: 127.0.0.1, port: 0 }\n" + auth + pipelines);
    Serving serving = serve(config);
    try {
      int p = serving.port();
      com.fasterxml.jackson.databind.JsonNode me = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(get(p, "/api/v1/session", null).body());
      assertThat(me.path("passwordLogin").asBoolean()).as("no local users: only the browser login").isFalse();
      assertThat(me.path("browserLogins").toString())
          .isEqualTo("[{\"id\":\"keycloak\",\"label\":\"ACME SSO\",\"href\":\"/api/v1/session/sso/keycloak\"}]");
      HttpResponse<String> start = get(p, "/api/v1/session/sso/keycloak", null);
      assertThat(start.statusCode()).isEqualTo(302);
      assertThat(start.headers().firstValue("Location")).contains("/#login?error=unavailable");
    } finally {
      serving.stop();
    }
    assertThat(serving.ended().exit()).isZero();
  }
}
