package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.auth.AccessDecision;
import dev.sluice.auth.AccessPolicy;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.auth.Principal;
import dev.sluice.auth.Secrets;
import dev.sluice.record.Record;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.store.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Sluice with two pipelines behind a real {@link SluiceServer} on a random loopback port:
 *
 * <ul>
 *   <li>{@code orders} reads five records from a JSONL file; amounts over 100 go to {@code big}
 *       (which refuses {@code o3} permanently while {@link #bigFails} is set, making a dead
 *       letter), everything goes to {@code all};
 *   <li>{@code hooks} runs on a webhook at {@code /hooks/orders} signed with HMAC-SHA256.
 * </ul>
 *
 * <p>Callers authenticate with bearer tokens made at test time, one per built-in role; the access
 * policy grants each built-in role its permissions.
 */
final class Fixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String WEBHOOK_PATH = "/hooks/orders";
  static final List<String> ROLES = List.of(BuiltInRoles.VIEWER, BuiltInRoles.OPERATOR, BuiltInRoles.ADMIN);

  final Map<String, String> tokens = new LinkedHashMap<>();
  final String webhookSecret;
  /** The dashboard's password login: user {@code operator-user} with a password made at test time. */
  final String dashboardPassword = UUID.randomUUID().toString();
  final AtomicBoolean bigFails = new AtomicBoolean(true);
  final List<Record> delivered = new CopyOnWriteArrayList<>();
  final Sluice sluice;
  final SluiceServer server;
  final Store store;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final String base;
  static final String LOGIN_USER = "olivia";
  final String loginPassword = "pw-" + UUID.randomUUID();
  final dev.sluice.auth.LocalAuth localAuth;
  /** The fixture's browser login ("Sign in with Test IdP"), served at /api/v1/session/sso/test. */
  final FakeBrowserLogin browserLogin = new FakeBrowserLogin();

  static final AccessPolicy POLICY = (p, perm, pipeline) -> p.roles().stream()
      .anyMatch(r -> BuiltInRoles.permissionsOf(r).contains(perm))
      ? AccessDecision.allow("granted by role") : AccessDecision.deny("none of the roles " + p.roles() + " grants " + perm);

  Fixture(Store store, Path dir) throws IOException {
    this(store, dir, b -> { });
  }

  Fixture(Store store, Path dir, java.util.function.Consumer<ServerOptions.Builder> extra) throws IOException {
    this.store = store;
    SecureRandom random = new SecureRandom();
    byte[] s = new byte[24];
    random.nextBytes(s);
    webhookSecret = HexFormat.of().formatHex(s);
    Map<String, Principal> byToken = new ConcurrentHashMap<>();
    for (String role : ROLES) {
      String token = UUID.randomUUID().toString();
      tokens.put(role, token);
      byToken.put(token, new Principal(role + "-user", Set.of(role)));
    }

    Path orders = dir.resolve("orders.jsonl");
    StringBuilder lines = new StringBuilder();
    int[] amounts = {50, 150, 250, 20, 300};
    for (int i = 0; i < amounts.length; i++) {
      lines.append("{\"id\":\"o").append(i + 1).append("\",\"amount\":").append(amounts[i]).append("}\n");
    }
    Files.writeString(orders, lines.toString());

    Destination big = batch -> {
      Map<Integer, DeliveryResult.RecordFailure> failures = new HashMap<>();
      for (int i = 0; i < batch.records().size(); i++) {
        Record r = batch.records().get(i);
        if (bigFails.get() && r.data().path("id").asText().equals("o3")) {
          failures.put(i, DeliveryResult.RecordFailure.permanent("the warehouse refused o3"));
        } else {
          delivered.add(r);
        }
      }
      return failures.isEmpty() ? DeliveryResult.success() : DeliveryResult.partial(failures);
    };
    Destination all = batch -> {
      delivered.addAll(batch.records());
      return DeliveryResult.success();
    };
    sluice = Sluice.builder()
        .store(store)
        .destination("big", big)
        .destination("all", all)
        .pipeline("orders", p -> p
            .source("file", Map.of("path", orders.toString()))
            .route(r -> r.name("big").when("$.amount > 100").to("big"))
            .route(r -> r.name("all").to("all")))
        .pipeline("hooks", p -> p
            .source("webhook", Map.of())
            .webhook(WEBHOOK_PATH, WebhookSignature.hmacSha256(webhookSecret))
            .overlap(dev.sluice.pipeline.OverlapPolicy.ALLOW).maxConcurrentRuns(1000)
            .route(r -> r.name("all").to("all")))
        .build();
    sluice.start();
    char[] passphrase = UUID.randomUUID().toString().toCharArray();
    Secrets secrets = store.secrets().map(ss -> Secrets.open(ss, passphrase)).orElse(null);
    if (secrets != null && store.users().isPresent() && store.authState().isPresent()) {
      localAuth = dev.sluice.auth.LocalAuth.builder(store, secrets).build();
      localAuth.createUser(dev.sluice.auth.Actor.cli(), LOGIN_USER, loginPassword.toCharArray(),
          Set.of(BuiltInRoles.OPERATOR));
    } else {
      localAuth = null;
    }
    ServerOptions.Builder options = ServerOptions.builder()
        .port(0)
        .localAuth(localAuth)
        .accessPolicy(POLICY)
        .secrets(secrets)
        .runsShutdownTimeout(Duration.ofSeconds(10))
        .httpDrainTimeout(Duration.ofSeconds(5))
        .progressInterval(Duration.ofMillis(50))
        .maxRequestBytes(64 * 1024)
        .browserLogin(browserLogin)
        .passwordLogin((user, password, address) -> user.equals("operator-user")
            && java.security.MessageDigest.isEqual(new String(password).getBytes(StandardCharsets.UTF_8),
                dashboardPassword.getBytes(StandardCharsets.UTF_8))
            ? java.util.Optional.of(new Principal("operator-user", Set.of(BuiltInRoles.OPERATOR)))
            : java.util.Optional.empty());
    boolean local = localAuth != null;
    // The test's tokens first; anything else goes to local authentication (which rejects what it
    // does not recognise), or is rejected here when there is none.
    Authenticator auth = req -> req.bearerToken()
        .map(t -> {
          Principal p = byToken.get(t);
          return p != null ? AuthResult.authenticated(p)
              : local ? AuthResult.notApplicable() : AuthResult.rejected("unknown token");
        })
        .orElse(AuthResult.notApplicable());
    options.authenticator(auth);
    if (local) {
      options.authenticator(localAuth.authenticator());
    }
    extra.accept(options);
    server = SluiceServer.create(sluice, options.build()).start();
    base = "http://127.0.0.1:" + server.port();
  }

  /** A request as {@code role} (null: no credentials), with a JSON body when {@code body} is not null. */
  HttpResponse<String> call(String method, String path, String role, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (role != null) {
      b.header("Authorization", "Bearer " + tokens.getOrDefault(role, role));
    }
    boolean hasType = false;
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
      hasType |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (body != null && !hasType) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path, String role) {
    return call("GET", path, role, null);
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
    }
  }

  /** Runs {@code orders} through the API and waits for it to end; the run's id. */
  String runOrders() throws InterruptedException {
    HttpResponse<String> r = call("POST", "/api/v1/pipelines/orders/runs", BuiltInRoles.OPERATOR, null);
    if (r.statusCode() != 202) {
      throw new AssertionError("trigger: " + r.statusCode() + " " + r.body());
    }
    String id = json(r).path("id").asText();
    sluice.activeRun(id).ifPresent(h -> {
      try {
        h.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    return id;
  }

  String hmac(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(webhookSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
    store.close();
  }
}
