package dev.sluice.auth.keycloak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local OpenID provider on 127.0.0.1 for tests that need tokens a real provider would never issue:
 * serves a discovery document and a JWKS of keys generated at test time, and counts requests per path
 * (evidence for the JWKS rate limit and for "jku/x5u were never fetched"). Thread-safe.
 */
final class OidcStub implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Map<String, KeyPair> published = new LinkedHashMap<>();
  private final String issuer;

  OidcStub(String realm) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/" + realm;
    server.createContext("/", this::handle);
    server.start();
  }

  String issuer() {
    return issuer;
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests seen for a path (e.g. {@code /realms/x/jwks}). */
  int hits(String path) {
    AtomicInteger n = hits.get(path);
    return n == null ? 0 : n.get();
  }

  int totalHits() {
    return hits.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  String jwksPath() {
    return java.net.URI.create(issuer).getPath() + "/jwks";
  }

  synchronized void publish(String kid, KeyPair pair) {
    published.put(kid, pair);
  }

  synchronized void unpublish(String kid) {
    published.remove(kid);
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ec256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ObjectNode jwk(String kid, KeyPair pair) {
    ObjectNode k = JSON.createObjectNode().put("kid", kid).put("use", "sig");
    if (pair.getPublic() instanceof RSAPublicKey rsa) {
      k.put("kty", "RSA").put("n", b64(rsa.getModulus())).put("e", b64(rsa.getPublicExponent()));
    } else {
      ECPublicKey ec = (ECPublicKey) pair.getPublic();
      k.put("kty", "EC").put("crv", "P-256").put("x", b64(ec.getW().getAffineX(), 32)).put("y", b64(ec.getW().getAffineY(), 32));
    }
    return k;
  }

  private static String b64(BigInteger i) {
    byte[] b = i.toByteArray();
    if (b.length > 1 && b[0] == 0) {
      b = java.util.Arrays.copyOfRange(b, 1, b.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String b64(BigInteger i, int len) {
    byte[] raw = i.toByteArray();
    byte[] out = new byte[len];
    int copy = Math.min(raw.length, len);
    System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    String realmPath = java.net.URI.create(issuer).getPath();
    byte[] body;
    int status = 200;
    if (path.equals(realmPath + "/.well-known/openid-configuration")) {
      ObjectNode doc = JSON.createObjectNode()
          .put("issuer", issuer)
          .put("jwks_uri", issuer + "/jwks")
          .put("authorization_endpoint", issuer + "/auth")
          .put("token_endpoint", issuer + "/token");
      body = JSON.writeValueAsBytes(doc);
    } else if (path.equals(realmPath + "/jwks")) {
      ObjectNode doc = JSON.createObjectNode();
      ArrayNode keys = doc.putArray("keys");
      synchronized (this) {
        published.forEach((kid, pair) -> keys.add(jwk(kid, pair)));
      }
      body = JSON.writeValueAsBytes(doc);
    } else {
      status = 404;
      body = "{\"error\":\"not_found\"}".getBytes(StandardCharsets.UTF_8);
    }
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
