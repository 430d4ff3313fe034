package dev.sluice.connectors.google.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A loopback stand-in for Google: an OAuth token endpoint that checks the RS256 JWT bearer
 * assertion (RFC 7523; Google's "Using OAuth 2.0 for Server to Server Applications": header
 * {@code {"alg":"RS256","typ":"JWT"}}, claims iss/scope/aud/iat/exp, POST {@code
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…}, answer {@code
 * {"access_token","expires_in","token_type"}}) against a key pair generated for the test run, also
 * the refresh-token grant and the metadata server's token path; and an API path handled by the test.
 * Scripted answers (errors, 429s) are served first, in order.
 */
public final class GoogleStub implements AutoCloseable {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  public static final KeyPair KEYS = generate();
  /** {@link #KEYS}' private key in PEM as Google's key files hold it, written by openssl at test time. */
  private static final String PRIVATE_KEY_PEM = pem(KEYS.getPrivate().getEncoded());

  private static String pem(byte[] pkcs8) {
    try {
      Process openssl = new ProcessBuilder("openssl", "pkey", "-inform", "DER", "-outform", "PEM").start();
      try (OutputStream in = openssl.getOutputStream()) {
        in.write(pkcs8);
      }
      String pem = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      String err = new String(openssl.getErrorStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!openssl.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || openssl.exitValue() != 0) {
        throw new IllegalStateException("openssl pkey failed: " + err);
      }
      return pem;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("the openssl command is needed to write the test key as PEM", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
  public static final String CLIENT_EMAIL = "sluice-test@example-project.iam.gserviceaccount.com";

  /** One request the stub received. */
  public record Received(String method, String path, String query, Map<String, String> headers, String body) {
    public JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  /** An answer. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public static Answer json(int status, String body) {
      return new Answer(status, Map.of(), body);
    }
  }

  private final HttpServer server;
  private final List<Received> apiRequests = Collections.synchronizedList(new ArrayList<>());
  private final List<Received> tokenRequests = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Answer> scripted = new ArrayDeque<>();
  private final Deque<Answer> scriptedTokens = new ArrayDeque<>();
  private final AtomicInteger tokens = new AtomicInteger();
  private volatile Function<Received, Answer> api = r -> Answer.json(404, "{}");

  public GoogleStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::token);
    server.createContext("/computeMetadata/v1/instance/service-accounts/default/token", this::metadata);
    server.createContext("/", this::api);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String tokenUri() {
    return url() + "/token";
  }

  public void onApi(Function<Received, Answer> handler) {
    this.api = handler;
  }

  public synchronized void script(Answer... answers) {
    scripted.addAll(List.of(answers));
  }

  public synchronized void scriptToken(Answer... answers) {
    scriptedTokens.addAll(List.of(answers));
  }

  public List<Received> apiRequests() {
    synchronized (apiRequests) {
      return List.copyOf(apiRequests);
    }
  }

  public List<Received> tokenRequests() {
    synchronized (tokenRequests) {
      return List.copyOf(tokenRequests);
    }
  }

  public int tokensIssued() {
    return tokens.get();
  }

  /** A service-account key file as Google issues it, pointing at this stub's token endpoint. */
  public String serviceAccountKey() {
    String pem = PRIVATE_KEY_PEM;
    ObjectNode key = MAPPER.createObjectNode()
        .put("type", "service_account")
        .put("project_id", "example-project")
        .put("private_key_id", "0123456789abcdef")
        .put("private_key", pem)
        .put("client_email", CLIENT_EMAIL)
        .put("client_id", "1234567890")
        .put("auth_uri", "https://accounts.google.com/o/oauth2/auth")
        .put("token_uri", tokenUri());
    return key.toString();
  }

  /** The private key's base64 body, to check it never leaks. */
  public static String privateKeyBase64() {
    return Base64.getEncoder().encodeToString(KEYS.getPrivate().getEncoded());
  }

  private synchronized Answer nextScripted(Deque<Answer> queue) {
    return queue.poll();
  }

  private void token(HttpExchange ex) throws IOException {
    Received r = receive(ex);
    tokenRequests.add(r);
    Answer s = nextScripted(scriptedTokens);
    if (s != null) {
      send(ex, s);
      return;
    }
    Map<String, String> form = form(r.body());
    String grant = form.getOrDefault("grant_type", "");
    if (grant.equals("urn:ietf:params:oauth:grant-type:jwt-bearer")) {
      String problem = checkAssertion(form.getOrDefault("assertion", ""));
      if (problem != null) {
        send(ex, Answer.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + problem + "\"}"));
        return;
      }
    } else if (grant.equals("refresh_token")) {
      if (!"stub-refresh-token-value".equals(form.get("refresh_token")) || !"stub-client-secret".equals(form.get("client_secret"))) {
        send(ex, Answer.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}"));
        return;
      }
    } else {
      send(ex, Answer.json(400, "{\"error\":\"unsupported_grant_type\",\"error_description\":\"Invalid grant_type: " + grant + "\"}"));
      return;
    }
    send(ex, Answer.json(200, "{\"access_token\":\"ya29.stub-access-" + tokens.incrementAndGet()
        + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}"));
  }

  private void metadata(HttpExchange ex) throws IOException {
    Received r = receive(ex);
    tokenRequests.add(r);
    if (!"Google".equals(r.headers().get("metadata-flavor"))) {
      send(ex, Answer.json(403, "Missing Metadata-Flavor:Google header."));
      return;
    }
    send(ex, Answer.json(200, "{\"access_token\":\"ya29.stub-metadata-" + tokens.incrementAndGet()
        + "\",\"expires_in\":3599,\"token_type\":\"Bearer\"}"));
  }

  /** Null when the assertion is a valid RS256 JWT of the test key for this endpoint, else why not. */
  private String checkAssertion(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      return "not a JWT";
    }
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initVerify(KEYS.getPublic());
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!s.verify(Base64.getUrlDecoder().decode(parts[2]))) {
        return "Invalid JWT Signature.";
      }
      JsonNode header = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
      JsonNode claims = MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
      if (!header.path("alg").asText().equals("RS256")) {
        return "alg must be RS256";
      }
      if (!claims.path("aud").asText().equals(tokenUri())) {
        return "Invalid JWT: aud " + claims.path("aud").asText();
      }
      if (!claims.path("iss").asText().equals(CLIENT_EMAIL)) {
        return "Invalid JWT: iss";
      }
      if (claims.path("exp").asLong() - claims.path("iat").asLong() > 3600) {
        return "Invalid JWT: exp too far";
      }
      if (claims.path("scope").asText().isEmpty()) {
        return "Invalid JWT: no scope";
      }
      return null;
    } catch (Exception e) {
      return "Invalid JWT: " + e.getClass().getSimpleName();
    }
  }

  private void api(HttpExchange ex) throws IOException {
    Received r = receive(ex);
    apiRequests.add(r);
    Answer s = nextScripted(scripted);
    if (s != null) {
      send(ex, s);
      return;
    }
    String auth = r.headers().getOrDefault("authorization", "");
    if (!auth.startsWith("Bearer ya29.stub-")) {
      send(ex, Answer.json(401, "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication"
          + " credentials. Expected OAuth 2 access token.\",\"status\":\"UNAUTHENTICATED\"}}"));
      return;
    }
    send(ex, api.apply(r));
  }

  private static Received receive(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
    return new Received(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
        headers, body);
  }

  private static void send(HttpExchange ex, Answer a) throws IOException {
    byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  public static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    if (body == null || body.isEmpty()) {
      return out;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
