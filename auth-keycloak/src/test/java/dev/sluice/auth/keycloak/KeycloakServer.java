package dev.sluice.auth.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Keycloak ({@code org.keycloak:keycloak-quarkus-dist}, unpacked into {@code target/keycloak}
 * by the build) started ONCE per test run: {@code bin/kc.sh start-dev} on a free loopback port with
 * the realms of {@code src/test/resources/keycloak} imported. Passwords and client secrets are made
 * at test time and written into the realm files only inside {@code target/}.
 *
 * <p>Use as {@code @ExtendWith(KeycloakServer.class)} and {@link #get()}. The server is stopped
 * when the JUnit run ends (root store resource) and by a shutdown hook. If it cannot start, every
 * test using it FAILS (no skipping).
 */
final class KeycloakServer implements BeforeAllCallback, AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_DEADLINE = Duration.ofMinutes(8);

  private static KeycloakServer instance;
  private static Throwable startFailure;

  final String adminPassword = random();
  final String userPassword = random();
  final String backendSecret = random();
  final String resourceSecret = random();
  final int port;
  final int callbackPort;
  final String version;
  final String javaHome;
  long startMillis;
  private Process process;
  private final Path home;
  private final Path logFile;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** Used by JUnit as the extension; the real instance is the static one. */
  public KeycloakServer() {
    this.port = 0;
    this.callbackPort = 0;
    this.version = null;
    this.javaHome = null;
    this.home = null;
    this.logFile = null;
  }

  private KeycloakServer(Path home) throws IOException {
    this.home = home;
    this.port = freePort();
    this.callbackPort = freePort();
    this.version = Files.readString(home.resolve("version.txt")).trim().replaceFirst("^.*Version\\s*", "");
    String jh = System.getProperty("sluice.keycloak.java.home", "");
    this.javaHome = jh.isBlank() ? System.getProperty("java.home") : jh;
    this.logFile = home.getParent().getParent().resolve("keycloak-test.log");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    KeycloakServer server = get();
    // Registered once in the root store: closed when the whole test run ends.
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(KeycloakServer.class.getName(), k -> server, KeycloakServer.class);
  }

  /** The running server, started on first use. Throws (failing the test) when it can't start. */
  static synchronized KeycloakServer get() {
    if (instance != null) {
      return instance;
    }
    if (startFailure != null) {
      throw new IllegalStateException("Keycloak failed to start earlier in this run", startFailure);
    }
    try {
      String homeProp = System.getProperty("sluice.keycloak.home");
      if (homeProp == null || !Files.isExecutable(Paths.get(homeProp, "bin", "kc.sh"))) {
        throw new IllegalStateException("no Keycloak distribution at " + homeProp + " (system property"
            + " sluice.keycloak.home; the build unpacks org.keycloak:keycloak-quarkus-dist into target/keycloak)");
      }
      KeycloakServer s = new KeycloakServer(Paths.get(homeProp));
      s.start();
      instance = s;
      return s;
    } catch (Throwable t) {
      startFailure = t;
      throw new IllegalStateException("Keycloak could not be started: " + t.getMessage(), t);
    }
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  String issuer(String realm) {
    return base() + "/realms/" + realm;
  }

  URI redirectUri() {
    return URI.create("http://127.0.0.1:" + callbackPort + "/callback");
  }

  private void start() throws Exception {
    Path data = home.resolve("data");
    deleteTree(data); // a fresh H2 database each run, so the realm files are always imported
    Path imports = Files.createDirectories(data.resolve("import"));
    for (String realm : List.of("sluice", "other")) {
      String template;
      try (InputStream in = KeycloakServer.class.getResourceAsStream("/keycloak/" + realm + "-realm.json")) {
        template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      String json = template.replace("@@USER_PASSWORD@@", userPassword)
          .replace("@@BACKEND_SECRET@@", backendSecret)
          .replace("@@RESOURCE_SECRET@@", resourceSecret)
          .replace("@@REDIRECT_URI@@", redirectUri().toString());
      Files.writeString(imports.resolve(realm + "-realm.json"), json);
    }
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-port=" + port, "--http-host=127.0.0.1", "--import-realm")
        .directory(home.toFile())
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    Map<String, String> env = pb.environment();
    env.put("JAVA_HOME", javaHome);
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
    env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx768m");
    long t0 = System.nanoTime();
    process = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "keycloak-stop"));
    URI ready = URI.create(issuer("other") + "/.well-known/openid-configuration");
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Keycloak exited with code " + process.exitValue() + " during start-up; see "
            + logFile + ":\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new IllegalStateException("Keycloak did not answer " + ready + " within " + START_DEADLINE + "; see "
            + logFile + ":\n" + tail());
      }
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 && realmReady("sluice")) {
          break;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    startMillis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
    System.out.println("Keycloak " + version + " started in " + startMillis + " ms on port " + port + " with "
        + javaHome + " (log: " + logFile + ")");
  }

  private boolean realmReady(String realm) throws IOException, InterruptedException {
    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(issuer(realm) + "/.well-known/openid-configuration"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
    return r.statusCode() == 200;
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  synchronized void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public void close() {
    if (this == instance) {
      stop();
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  // ------------------------------------------------------------------ real tokens and admin calls

  /** POSTs a form, returns status and parsed JSON body. */
  JsonNode postForm(String url, Map<String, String> form, String basicUser, String basicPassword) {
    try {
      StringJoiner body = new StringJoiner("&");
      form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
      if (basicUser != null) {
        b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (basicUser + ":" + basicPassword).getBytes(StandardCharsets.UTF_8)));
      }
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode node = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + node.path("error")
            + " " + node.path("error_description"));
      }
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An access token for a user of a realm by the password grant of the public dashboard client. */
  String passwordToken(String realm, String user) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "password");
    form.put("client_id", "sluice-dashboard");
    form.put("username", user);
    form.put("password", userPassword);
    form.put("scope", "openid");
    return postForm(issuer(realm) + "/protocol/openid-connect/token", form, null, null).path("access_token").asText();
  }

  /** A service account's token by the client credentials grant of the confidential backend client. */
  String clientCredentialsToken() {
    return postForm(issuer("sluice") + "/protocol/openid-connect/token", Map.of("grant_type", "client_credentials"),
        "sluice-backend", backendSecret).path("access_token").asText();
  }

  String adminToken() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "password");
    form.put("client_id", "admin-cli");
    form.put("username", "admin");
    form.put("password", adminPassword);
    return postForm(issuer("master") + "/protocol/openid-connect/token", form, null, null).path("access_token").asText();
  }

  /** An admin REST call; returns the status and the body (JSON or empty). */
  HttpResponse<String> admin(String method, String path, String jsonBody) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/admin/realms/" + path))
          .timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + adminToken())
          .header("Content-Type", "application/json")
          .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonNode adminJson(String method, String path, String jsonBody) {
    HttpResponse<String> r = admin(method, path, jsonBody);
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(method + " admin/realms/" + path + " answered " + r.statusCode() + ": " + r.body());
    }
    try {
      return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String random() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return "T" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
