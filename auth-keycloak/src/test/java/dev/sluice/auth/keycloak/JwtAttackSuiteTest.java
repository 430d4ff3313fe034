package dev.sluice.auth.keycloak;

import static dev.sluice.auth.keycloak.TokenAssertions.assertRejected;
import static dev.sluice.auth.keycloak.TokenAssertions.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JWT attack suite against the validator, with tokens forged at test time and a local provider
 * stub (discovery + JWKS on 127.0.0.1) that counts requests. Each attack must be REJECTED, with an
 * INFO line {@code bearer token rejected: <reason>} and no piece of the token in the reason or any
 * log line. The same attacks against real Keycloak tokens are in {@link KeycloakIntegrationTest}.
 */
class JwtAttackSuiteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  private OidcStub stub;
  private OidcStub attacker;
  private KeyPair keyA;
  private KeyPair keyEc;
  private MutableClock clock;
  private CapturingLogger log;
  private OidcAuthenticator auth;

  @BeforeEach
  void setUp() throws Exception {
    stub = new OidcStub("acme");
    attacker = new OidcStub("evil");
    keyA = OidcStub.rsa();
    keyEc = OidcStub.ec256();
    stub.publish("key-a", keyA);
    stub.publish("key-ec", keyEc);
    attacker.publish("key-a", OidcStub.rsa());
    clock = MutableClock.at(T0);
    log = new CapturingLogger("attack-suite");
    auth = authenticator(OidcSettings.builder(stub.issuer()).audience("sluice"));
    // Warm up: one valid token loads discovery + JWKS, so the counters below start from a known state.
    assertThat(auth.authenticate(bearer(valid().sign(rs256(keyA)))).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(stub.hits(stub.jwksPath())).isEqualTo(1);
  }

  @AfterEach
  void tearDown() {
    stub.close();
    attacker.close();
  }

  private OidcAuthenticator authenticator(OidcSettings.Builder b) {
    return OidcAuthenticator.create(b.build(), JSON, clock, log);
  }

  private JWTCreator.Builder valid() {
    Instant now = clock.instant();
    return JWT.create()
        .withKeyId("key-a")
        .withIssuer(stub.issuer())
        .withAudience("sluice")
        .withSubject("0f7c")
        .withClaim("preferred_username", "alice")
        .withClaim("typ", "Bearer")
        .withIssuedAt(now)
        .withExpiresAt(now.plusSeconds(300));
  }

  private static Algorithm rs256(KeyPair k) {
    return Algorithm.RSA256((RSAPublicKey) k.getPublic(), (RSAPrivateKey) k.getPrivate());
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private String payloadOf(String token) {
    return token.split("\\.")[1];
  }

  // ---------------------------------------------------------------- controls

  @Test
  void validRs256Es256AndPs256TokensAreAccepted() {
    AuthResult rs = auth.authenticate(bearer(valid().sign(rs256(keyA))));
    assertThat(rs.status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(rs.principal().orElseThrow().name()).isEqualTo("alice");
    assertThat(rs.principal().orElseThrow().attributes()).containsEntry("subject", "0f7c");

    String es = valid().withKeyId("key-ec")
        .sign(Algorithm.ECDSA256((ECPublicKey) keyEc.getPublic(), (ECPrivateKey) keyEc.getPrivate()));
    assertThat(auth.authenticate(bearer(es)).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);

    String ps = valid().sign(Algorithm.RSA256PSS((RSAPublicKey) keyA.getPublic(), (RSAPrivateKey) keyA.getPrivate()));
    assertThat(auth.authenticate(bearer(ps)).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
  }

  @Test
  void noBearerTokenIsNotApplicable() {
    assertThat(auth.authenticate(new AuthRequest("GET", "/", Map.of())).status())
        .isEqualTo(AuthResult.Status.NOT_APPLICABLE);
    assertThat(auth.authenticate(new AuthRequest("GET", "/", Map.of("Authorization", List.of("Basic dXNlcjpwdw==")))).status())
        .isEqualTo(AuthResult.Status.NOT_APPLICABLE);
  }

  @Test
  void clockSkewIsHonouredButNotMore() {
    Instant now = clock.instant();
    String slightlyExpired = valid().withIssuedAt(now.minusSeconds(400)).withExpiresAt(now.minusSeconds(20)).sign(rs256(keyA));
    assertThat(auth.authenticate(bearer(slightlyExpired)).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    String expiredBeyondSkew = valid().withIssuedAt(now.minusSeconds(400)).withExpiresAt(now.minusSeconds(31)).sign(rs256(keyA));
    assertRejected(auth, log, expiredBeyondSkew, "expired");
  }

  // ---------------------------------------------------------------- attacks

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void algNoneIsRejected(String none) {
    String payload = payloadOf(valid().sign(rs256(keyA)));
    String header = b64("{\"alg\":\"" + none + "\",\"typ\":\"JWT\",\"kid\":\"key-a\"}");
    assertRejected(auth, log, header + "." + payload + ".", "malformed token");
    // With something in the signature slot it reaches the algorithm check.
    assertRejected(auth, log, header + "." + payload + ".c2lnbmF0dXJlLWRvZXMtbm90LW1hdHRlcg", "is not allowed");
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyIsRejected() {
    byte[] der = keyA.getPublic().getEncoded();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.US_ASCII))) {
      String forged = valid().sign(Algorithm.HMAC256(secret));
      assertRejected(auth, log, forged, "algorithm HS256 is not allowed");
    }
    // And HMAC can't even be configured.
    assertThatThrownBy(() -> OidcSettings.builder(stub.issuer()).allowedAlgorithms(List.of("HS256")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HMAC");
    assertThatThrownBy(() -> OidcSettings.builder(stub.issuer()).allowedAlgorithms(List.of("none")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("none");
  }

  @Test
  void tamperedPayloadIsRejected() throws Exception {
    String token = valid().sign(rs256(keyA));
    String[] parts = token.split("\\.");
    ObjectNode claims = (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    claims.putObject("realm_access").putArray("roles").add("sluice-admin");
    claims.put("preferred_username", "mallory");
    String tampered = parts[0] + "." + b64(JSON.writeValueAsString(claims)) + "." + parts[2];
    assertRejected(auth, log, tampered, "signature does not verify");
  }

  @Test
  void expiredTokenIsRejected() {
    Instant now = clock.instant();
    assertRejected(auth, log, valid().withIssuedAt(now.minusSeconds(3600)).withExpiresAt(now.minusSeconds(600))
        .sign(rs256(keyA)), "expired");
  }

  @Test
  void notBeforeInTheFutureIsRejected() {
    assertRejected(auth, log, valid().withNotBefore(clock.instant().plusSeconds(300)).sign(rs256(keyA)), "not valid yet");
  }

  @Test
  void issuedInTheFutureIsRejected() {
    Instant now = clock.instant();
    assertRejected(auth, log, valid().withIssuedAt(now.plusSeconds(600)).withExpiresAt(now.plusSeconds(900))
        .sign(rs256(keyA)), "issued in the future");
  }

  @Test
  void wrongIssuerIsRejectedWithoutTouchingTheProvider() {
    int before = stub.totalHits();
    assertRejected(auth, log, valid().withIssuer(stub.base() + "/realms/other").sign(rs256(keyA)), "wrong issuer");
    assertRejected(auth, log, valid().withIssuer(stub.issuer() + "/").sign(rs256(keyA)), "wrong issuer");
    assertThat(stub.totalHits()).isEqualTo(before);
  }

  @Test
  void wrongAudienceIsRejected() {
    assertRejected(auth, log, valid().withAudience("account", "someone-else").sign(rs256(keyA)), "wrong audience");
    assertRejected(auth, log, valid().withAudience((String[]) null).sign(rs256(keyA)), "audience");
  }

  @Test
  void unknownKidIsRejectedAndGarbageKidsDoNotHammerTheProvider() {
    int jwks = stub.hits(stub.jwksPath());
    KeyPair other = OidcStub.rsa();
    clock.advance(Duration.ofSeconds(31)); // the warm-up download is older than the refresh interval
    assertRejected(auth, log, valid().withKeyId("no-such-key").sign(rs256(other)), "unknown key id");
    assertThat(stub.hits(stub.jwksPath())).as("one refresh for the first unknown kid").isEqualTo(jwks + 1);

    for (int i = 0; i < 200; i++) {
      String token = valid().withKeyId("garbage-" + UUID.randomUUID()).sign(rs256(other));
      assertThat(auth.authenticate(bearer(token)).status()).isEqualTo(AuthResult.Status.REJECTED);
    }
    assertThat(stub.hits(stub.jwksPath())).as("200 more garbage kids within the refresh interval").isEqualTo(jwks + 1);
    assertThat(auth.jwksDownloads()).isEqualTo(jwks + 1);

    clock.advance(Duration.ofSeconds(31));
    for (int i = 0; i < 50; i++) {
      auth.authenticate(bearer(valid().withKeyId("garbage-" + UUID.randomUUID()).sign(rs256(other))));
    }
    assertThat(stub.hits(stub.jwksPath())).as("one more after the interval, however many kids").isEqualTo(jwks + 2);
  }

  @Test
  void concurrentGarbageKidsCauseOneDownload() throws Exception {
    clock.advance(Duration.ofSeconds(31));
    int jwks = stub.hits(stub.jwksPath());
    KeyPair other = OidcStub.rsa();
    List<String> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < 64; i++) {
      tokens.add(valid().withKeyId("garbage-" + i).sign(rs256(other)));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<AuthResult>> results = new java.util.ArrayList<>();
      for (String t : tokens) {
        results.add(pool.submit(() -> {
          go.await();
          return auth.authenticate(bearer(t));
        }));
      }
      go.countDown();
      for (java.util.concurrent.Future<AuthResult> f : results) {
        assertThat(f.get().status()).isEqualTo(AuthResult.Status.REJECTED);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(stub.hits(stub.jwksPath())).isEqualTo(jwks + 1);
  }

  @Test
  void rotatedKeyIsPickedUpAfterTheRefreshIntervalAndRemovedKeyStopsAfterTheCacheTime() {
    KeyPair keyB = OidcStub.rsa();
    stub.publish("key-b", keyB);
    clock.advance(Duration.ofSeconds(31));
    String tokenB = valid().withKeyId("key-b").sign(rs256(keyB));
    assertThat(auth.authenticate(bearer(tokenB)).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);

    stub.unpublish("key-a");
    clock.advance(Duration.ofMinutes(10).plusSeconds(1)); // past jwksCacheTime
    assertRejected(auth, log, valid().withKeyId("key-a").sign(rs256(keyA)), "unknown key id");
    assertThat(auth.authenticate(bearer(valid().withKeyId("key-b").sign(rs256(keyB)))).status())
        .isEqualTo(AuthResult.Status.AUTHENTICATED);
  }

  @Test
  void jkuX5uAndJwkHeadersAreIgnored() {
    KeyPair evil = OidcStub.rsa();
    Map<String, Object> headers = Map.of(
        "jku", attacker.issuer() + "/jwks",
        "x5u", attacker.base() + "/cert.pem",
        "jwk", Map.of("kty", "RSA", "kid", "key-a",
            "n", OidcStub.jwk("key-a", evil).get("n").asText(), "e", OidcStub.jwk("key-a", evil).get("e").asText()));
    // Signed with the attacker's key under a kid the issuer knows: the issuer's key decides.
    assertRejected(auth, log, valid().withHeader(headers).sign(rs256(evil)), "signature does not verify");
    // Under a kid only the attacker publishes: still only the issuer's JWKS is consulted.
    clock.advance(Duration.ofSeconds(31));
    assertRejected(auth, log, valid().withKeyId("evil-key").withHeader(headers).sign(rs256(evil)), "unknown key id");
    assertThat(attacker.totalHits()).as("requests to the jku/x5u host").isZero();
    assertThat(log.all()).contains("ignoring token header(s) [jku, jwk, x5u]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../../../etc/passwd", "key-a/../../secret", "..", "..\\..\\windows\\win.ini",
      "' OR '1'='1", "key-a'; DROP TABLE keys;--", "key-a\" UNION SELECT 1", "%2e%2e%2fetc", "key a", "key-a\nINFO forged"})
  void kidWithPathTraversalOrSqlIsRejectedWithoutALookup(String kid) {
    int before = stub.hits(stub.jwksPath());
    clock.advance(Duration.ofSeconds(31)); // a refresh would be allowed, so "no download" means "no lookup"
    AuthResult r = assertRejected(auth, log, valid().withKeyId(kid).sign(rs256(keyA)), "key id (kid) is malformed");
    assertThat(r.reason().orElseThrow()).doesNotContain(kid);
    assertThat(log.all()).doesNotContain(kid);
    assertThat(stub.hits(stub.jwksPath())).isEqualTo(before);
  }

  @Test
  void oneMegabyteTokenIsRejectedBeforeParsing() {
    String huge = valid().withClaim("padding", "x".repeat(1024 * 1024)).sign(rs256(keyA));
    assertThat(huge.length()).isGreaterThan(1024 * 1024);
    assertRejected(auth, log, huge, "larger than the limit of 16384 bytes");
    String junk = "a".repeat(1024 * 1024);
    assertRejected(auth, log, junk, "larger than the limit");
  }

  @Test
  void missingExpIsRejected() {
    String noExp = JWT.create().withKeyId("key-a").withIssuer(stub.issuer()).withAudience("sluice")
        .withSubject("0f7c").withIssuedAt(clock.instant()).sign(rs256(keyA));
    assertRejected(auth, log, noExp, "no expiry");
  }

  @Test
  void anotherRealmsTokenIsRejected() throws Exception {
    try (OidcStub other = new OidcStub("other")) {
      KeyPair otherKey = OidcStub.rsa();
      other.publish("key-a", otherKey); // even the same kid
      String token = valid().withIssuer(other.issuer()).sign(rs256(otherKey));
      assertRejected(auth, log, token, "wrong issuer");
      assertThat(other.totalHits()).isZero();
    }
  }

  @Test
  void algorithmOutsideTheConfiguredListIsRejectedAndKeyTypeMustMatch() {
    OidcAuthenticator rsOnly = authenticator(OidcSettings.builder(stub.issuer()).audience("sluice")
        .allowedAlgorithms(List.of("RS256")));
    String es = valid().withKeyId("key-ec")
        .sign(Algorithm.ECDSA256((ECPublicKey) keyEc.getPublic(), (ECPrivateKey) keyEc.getPrivate()));
    assertRejected(rsOnly, log, es, "algorithm ES256 is not allowed");
    // ES256 allowed, but header claims ES256 with the RSA key's kid.
    String mismatch = valid().withKeyId("key-a")
        .sign(Algorithm.ECDSA256((ECPublicKey) keyEc.getPublic(), (ECPrivateKey) keyEc.getPrivate()));
    assertRejected(auth, log, mismatch, "cannot verify algorithm ES256");
  }

  @Test
  void idAndRefreshTokensAreNotAcceptedAsAccessTokens() {
    assertRejected(auth, log, valid().withClaim("typ", "ID").sign(rs256(keyA)), "token type (typ) ID is not Bearer");
    assertRejected(auth, log, valid().withClaim("typ", "Refresh").sign(rs256(keyA)), "is not Bearer");
  }

  @Test
  void authorizedPartyIsCheckedWhenConfigured() {
    OidcAuthenticator strict = authenticator(OidcSettings.builder(stub.issuer()).audience("sluice")
        .authorizedParty("sluice-dashboard"));
    assertRejected(strict, log, valid().withClaim("azp", "rogue-client").sign(rs256(keyA)), "authorized party (azp)");
    assertRejected(strict, log, valid().sign(rs256(keyA)), "authorized party (azp)");
    assertThat(strict.authenticate(bearer(valid().withClaim("azp", "sluice-dashboard").sign(rs256(keyA)))).status())
        .isEqualTo(AuthResult.Status.AUTHENTICATED);
  }

  @Test
  void malformedTokensAreRejectedNotPassedOn() {
    assertRejected(auth, log, "not-a-jwt", "malformed token");
    assertRejected(auth, log, "a.b.c", "malformed token");
    assertRejected(auth, log, "eyJhbGciOiJSUzI1NiJ9..c2ln", "malformed token");
    assertRejected(auth, log, b64("[1,2]") + "." + b64("{}") + ".c2ln", "malformed token");
  }

  @Test
  void passOtherIssuersHandsForeignTokensOnButStillRejectsOwnForgeries() {
    OidcAuthenticator chained = authenticator(OidcSettings.builder(stub.issuer()).audience("sluice").passOtherIssuers(true));
    String foreign = valid().withIssuer("https://local.sluice.example/").sign(rs256(OidcStub.rsa()));
    assertThat(chained.authenticate(bearer(foreign)).status()).isEqualTo(AuthResult.Status.NOT_APPLICABLE);
    assertRejected(chained, log, valid().sign(rs256(OidcStub.rsa())), "signature does not verify");
  }

  @Test
  void providerDownMeansRejectedNotAcceptedAndNotThrown() throws Exception {
    OidcStub gone = new OidcStub("gone");
    String issuer = gone.issuer();
    gone.close();
    OidcAuthenticator a = authenticator(OidcSettings.builder(issuer).audience("sluice").httpTimeout(Duration.ofSeconds(2)));
    String token = valid().withIssuer(issuer).sign(rs256(keyA));
    assertRejected(a, log, token, "signing keys of the issuer are unavailable");
    assertThat(log.lines()).anySatisfy(l -> assertThat(l.message()).startsWith("cannot check bearer tokens of " + issuer));
  }
}
