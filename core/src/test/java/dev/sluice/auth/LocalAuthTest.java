package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import dev.sluice.store.AuditEvent;
import dev.sluice.store.LoginFailures;
import dev.sluice.store.UserAccount;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalAuthTest {
  private AuthFixture f;
  private LocalAuth auth;
  private char[] alicePassword;

  @BeforeEach
  void setUp() {
    f = new AuthFixture();
    auth = f.auth;
    alicePassword = AuthFixture.newPassword();
    auth.createUser(Actor.cli(), "alice", alicePassword, Set.of("operator"));
  }

  // --- login -----------------------------------------------------------------------------------

  @Test
  void loginIssuesAVerifiableAccessTokenWithTheExpectedClaims() throws Exception {
    TokenPair pair = auth.login("alice", alicePassword, "192.0.2.1");
    assertThat(pair.accessTokenExpiresAt()).isEqualTo(AuthFixture.T0.plus(Duration.ofMinutes(10)));
    assertThat(pair.refreshToken()).startsWith("sluice_rt_");
    assertThat(pair.toString()).doesNotContain(pair.accessToken()).doesNotContain(pair.refreshToken());

    AuthResult r = auth.verifyAccessToken(pair.accessToken());
    assertThat(r.status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(r.principal().orElseThrow().name()).isEqualTo("alice");
    assertThat(r.principal().orElseThrow().roles()).containsExactly("operator");

    String[] parts = pair.accessToken().split("\\.");
    ObjectMapper m = new ObjectMapper();
    JsonNode header = m.readTree(java.util.Base64.getUrlDecoder().decode(parts[0]));
    JsonNode claims = m.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
    assertThat(header.get("alg").asText()).isEqualTo("ES256");
    assertThat(header.get("kid").asText()).isNotBlank();
    assertThat(claims.get("sub").asText()).isEqualTo("alice");
    assertThat(claims.get("iss").asText()).isEqualTo("sluice");
    assertThat(claims.get("aud").isTextual() ? claims.get("aud").asText() : claims.get("aud").get(0).asText())
        .isEqualTo("sluice-api");
    assertThat(claims.get("roles").get(0).asText()).isEqualTo("operator");
    for (String c : new String[] {"exp", "iat", "nbf", "jti"}) {
      assertThat(claims.has(c)).as(c).isTrue();
    }
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(600);
  }

  @Test
  void wrongPasswordUnknownUserAndDisabledUserFailAlike() {
    auth.createUser(Actor.cli(), "bob", AuthFixture.newPassword(), Set.of("viewer"));
    auth.setEnabled(Actor.cli(), "bob", false);
    String[] messages = new String[3];
    int i = 0;
    for (String user : new String[] {"alice", "nobody", "bob"}) {
      try {
        auth.login(user, AuthFixture.newPassword(), "192.0.2.1");
      } catch (AuthenticationException e) {
        assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.INVALID_CREDENTIALS);
        messages[i++] = e.getMessage();
      }
    }
    assertThat(i).isEqualTo(3);
    assertThat(messages).containsOnly("invalid user name or password");
  }

  @Test
  void aHashWithFewerIterationsIsUpgradedOnLogin() {
    char[] pw = AuthFixture.newPassword();
    String weak = PasswordHasher.withIterations(1_000).hash(pw);
    f.store.users().orElseThrow().save(new UserAccount("old", weak, Set.of("viewer"), true, AuthFixture.T0));
    LocalAuth stronger = LocalAuth.builder(f.store, f.secrets).clock(f.clock)
        .passwordHasher(PasswordHasher.withIterations(2_000)).build();

    stronger.login("old", pw, null);
    String upgraded = f.store.users().orElseThrow().find("old").orElseThrow().passwordHash();
    assertThat(PasswordHasher.iterationsOf(upgraded)).isEqualTo(2_000);
    assertThat(upgraded).isNotEqualTo(weak);
    stronger.login("old", pw, null); // the new hash verifies
  }

  @Test
  void newPasswordsMustPassThePolicy() {
    assertThatThrownBy(() -> auth.createUser(Actor.cli(), "carol", "short".toCharArray(), Set.of("viewer")))
        .isInstanceOf(PasswordPolicyException.class);
    assertThatThrownBy(() -> auth.createUser(Actor.cli(), "carol", "password1234".toCharArray(), Set.of("viewer")))
        .isInstanceOf(PasswordPolicyException.class);
    assertThat(auth.user("carol")).isEmpty();
    assertThatThrownBy(() -> auth.createUser(Actor.cli(), "carol", AuthFixture.newPassword(), Set.of("root")))
        .hasMessageContaining("unknown role [root]");
    assertThatThrownBy(() -> auth.createUser(Actor.cli(), "alice", AuthFixture.newPassword(), Set.of("viewer")))
        .hasMessageContaining("exists already");
    assertThatThrownBy(() -> auth.createUser(Actor.cli(), "../x", AuthFixture.newPassword(), Set.of()))
        .hasMessageContaining("user name");
  }

  @Test
  void changingTheOwnPasswordNeedsTheCurrentOneAndEndsSessions() {
    TokenPair pair = auth.login("alice", alicePassword, null);
    char[] next = AuthFixture.newPassword();
    assertThatThrownBy(() -> auth.changePassword("alice", AuthFixture.newPassword(), next, null))
        .isInstanceOf(AuthenticationException.class);
    auth.changePassword("alice", alicePassword, next, null);
    assertThatThrownBy(() -> auth.refresh(pair.refreshToken(), null)).isInstanceOf(AuthenticationException.class);
    assertThatThrownBy(() -> auth.login("alice", alicePassword, null)).isInstanceOf(AuthenticationException.class);
    assertThat(auth.login("alice", next, null)).isNotNull();
  }

  // --- lockout ---------------------------------------------------------------------------------

  @Test
  void fiveFailuresLockTheUserEvenForTheRightPasswordUntilTheLockEnds() {
    for (int i = 1; i <= 4; i++) {
      assertThatThrownBy(() -> auth.login("alice", AuthFixture.newPassword(), "192.0.2." + 10))
          .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.INVALID_CREDENTIALS);
    }
    assertThatThrownBy(() -> auth.login("alice", AuthFixture.newPassword(), "192.0.2.10"))
        .isInstanceOfSatisfying(AuthenticationException.class, e -> {
          assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.LOCKED_OUT);
          assertThat(e.retryAfter()).contains(AuthFixture.T0.plus(Duration.ofMinutes(15)));
        });
    // Locked: the right password from another address is refused too.
    assertThatThrownBy(() -> auth.login("alice", alicePassword, "198.51.100.1"))
        .isInstanceOfSatisfying(AuthenticationException.class,
            e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.LOCKED_OUT));
    // Visible to admins.
    assertThat(auth.user("alice").orElseThrow().lockedUntil()).isEqualTo(AuthFixture.T0.plus(Duration.ofMinutes(15)));
    assertThat(auth.lockouts()).extracting(LoginFailures::subject).contains("user:alice", "address:192.0.2.10");

    f.clock.advance(Duration.ofMinutes(15));
    assertThat(auth.login("alice", alicePassword, "198.51.100.1")).isNotNull();
    assertThat(auth.user("alice").orElseThrow().lockedUntil()).isNull();
  }

  @Test
  void anAdminCanUnlockAUser() {
    for (int i = 0; i < 5; i++) {
      try {
        auth.login("alice", AuthFixture.newPassword(), null);
      } catch (AuthenticationException expected) {
        // counted
      }
    }
    assertThatThrownBy(() -> auth.login("alice", alicePassword, null)).isInstanceOf(AuthenticationException.class);
    assertThat(auth.unlock(new Actor("root", "10.0.0.1"), "alice")).isTrue();
    assertThat(auth.login("alice", alicePassword, null)).isNotNull();
    assertThat(auth.auditEvents(Long.MAX_VALUE, 50)).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("lockout.clear");
      assertThat(e.actor()).isEqualTo("root");
      assertThat(e.target()).isEqualTo("user:alice");
    });
  }

  @Test
  void failuresOutsideTheWindowAreForgotten() {
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> auth.login("alice", AuthFixture.newPassword(), null)).isInstanceOf(AuthenticationException.class);
    }
    f.clock.advance(Duration.ofMinutes(16));
    assertThatThrownBy(() -> auth.login("alice", AuthFixture.newPassword(), null))
        .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.INVALID_CREDENTIALS);
    assertThat(auth.login("alice", alicePassword, null)).isNotNull();
  }

  @Test
  void oneAddressTryingManyUserNamesIsLocked() {
    // Password spraying: one failure per user name, twenty names, from one address.
    for (int i = 0; i < 19; i++) {
      String user = "user" + i;
      assertThatThrownBy(() -> auth.login(user, AuthFixture.newPassword(), "203.0.113.9"))
          .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.INVALID_CREDENTIALS);
    }
    assertThatThrownBy(() -> auth.login("user19", AuthFixture.newPassword(), "203.0.113.9"))
        .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.LOCKED_OUT);
    // Alice's right password from that address is refused; from elsewhere it works.
    assertThatThrownBy(() -> auth.login("alice", alicePassword, "203.0.113.9"))
        .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.LOCKED_OUT);
    assertThat(auth.login("alice", alicePassword, "192.0.2.1")).isNotNull();
    assertThat(auth.unlock(Actor.cli(), "address:203.0.113.9")).isTrue();
    assertThat(auth.login("alice", alicePassword, "203.0.113.9")).isNotNull();
  }

  // --- refresh tokens --------------------------------------------------------------------------

  @Test
  void refreshRotatesTheTokenEveryTime() {
    TokenPair first = auth.login("alice", alicePassword, null);
    f.clock.advance(Duration.ofMinutes(5));
    TokenPair second = auth.refresh(first.refreshToken(), null);
    assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
    assertThat(second.accessToken()).isNotEqualTo(first.accessToken());
    assertThat(auth.verifyAccessToken(second.accessToken()).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    TokenPair third = auth.refresh(second.refreshToken(), null);
    assertThat(third.refreshToken()).isNotIn(first.refreshToken(), second.refreshToken());
  }

  @Test
  void reusingARotatedRefreshTokenRevokesTheWholeFamily() {
    TokenPair first = auth.login("alice", alicePassword, null);
    TokenPair second = auth.refresh(first.refreshToken(), null);
    TokenPair otherSession = auth.login("alice", alicePassword, null);

    // An attacker replays the first (stolen) token.
    assertThatThrownBy(() -> auth.refresh(first.refreshToken(), "203.0.113.66"))
        .isInstanceOfSatisfying(AuthenticationException.class,
            e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.TOKEN_REUSED));
    // The legitimate holder's current token is dead too: the family is revoked.
    assertThatThrownBy(() -> auth.refresh(second.refreshToken(), null))
        .isInstanceOfSatisfying(AuthenticationException.class,
            e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.INVALID_TOKEN));
    // Another login session is untouched.
    assertThat(auth.refresh(otherSession.refreshToken(), null)).isNotNull();
    assertThat(auth.auditEvents(Long.MAX_VALUE, 100)).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("token.reuse");
      assertThat(e.success()).isFalse();
      assertThat(e.clientAddress()).isEqualTo("203.0.113.66");
    });
  }

  @Test
  void logoutRevokesTheFamily() {
    TokenPair first = auth.login("alice", alicePassword, null);
    TokenPair second = auth.refresh(first.refreshToken(), null);
    assertThat(auth.logout(second.refreshToken(), null)).isTrue();
    assertThatThrownBy(() -> auth.refresh(second.refreshToken(), null)).isInstanceOf(AuthenticationException.class);
    assertThat(auth.logout("sluice_rt_garbage", null)).isFalse();
  }

  @Test
  void expiredMalformedAndUnknownRefreshTokensAreRejected() {
    TokenPair pair = auth.login("alice", alicePassword, null);
    assertThatThrownBy(() -> auth.refresh("sluice_rt_" + "A".repeat(46), null))
        .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.INVALID_TOKEN);
    assertThatThrownBy(() -> auth.refresh(null, null)).isInstanceOf(AuthenticationException.class);
    String other = OpaqueTokens.newToken(OpaqueTokens.REFRESH_PREFIX);
    assertThatThrownBy(() -> auth.refresh(other, null)).hasMessageNotContaining(other);
    f.clock.advance(Duration.ofDays(14));
    assertThatThrownBy(() -> auth.refresh(pair.refreshToken(), null))
        .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.INVALID_TOKEN);
    assertThat(auth.purgeExpiredRefreshTokens()).isZero(); // expires exactly now: kept until after
    f.clock.advance(Duration.ofSeconds(1));
    assertThat(auth.purgeExpiredRefreshTokens()).isEqualTo(1);
  }

  @Test
  void disablingAUserEndsTheirSessions() {
    TokenPair pair = auth.login("alice", alicePassword, null);
    auth.setEnabled(Actor.cli(), "alice", false);
    assertThatThrownBy(() -> auth.refresh(pair.refreshToken(), null)).isInstanceOf(AuthenticationException.class);
    assertThat(auth.verifyAccessToken(pair.accessToken()).status()).isEqualTo(AuthResult.Status.REJECTED);
  }

  // --- API keys --------------------------------------------------------------------------------

  @Test
  void apiKeyLifecycle() {
    CreatedApiKey created = auth.createApiKey(Actor.cli(), "alice", "ci deploys", Set.of("viewer"),
        AuthFixture.T0.plus(Duration.ofDays(30)));
    String key = created.key();
    assertThat(key).startsWith("sluice_ak_").hasSize(10 + 46);
    assertThat(created.toString()).doesNotContain(key);
    // Stored hashed: the key appears nowhere in the store.
    assertThat(f.store.users().orElseThrow().listApiKeys(null)).singleElement()
        .satisfies(k -> assertThat(k.keyHash()).startsWith("sha256:").doesNotContain(key.substring(10)));
    assertThat(auth.apiKeys("alice")).singleElement().satisfies(i -> {
      assertThat(i.name()).isEqualTo("ci deploys");
      assertThat(i.lastUsedAt()).isNull();
    });

    // Header and bearer forms both work.
    f.clock.advance(Duration.ofMinutes(3));
    AuthResult viaHeader = auth.authenticator().authenticate(AuthFixture.apiKeyHeader(key));
    assertThat(viaHeader.status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(viaHeader.principal().orElseThrow().name()).isEqualTo("alice");
    assertThat(viaHeader.principal().orElseThrow().roles()).containsExactly("viewer");
    assertThat(viaHeader.principal().orElseThrow().attributes()).containsEntry("auth", "api-key")
        .containsEntry("apiKeyId", created.info().id());
    assertThat(auth.authenticator().authenticate(AuthFixture.bearer(key)).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(auth.apiKeys(null).get(0).lastUsedAt()).isEqualTo(AuthFixture.T0.plus(Duration.ofMinutes(3)));

    // Revoked: rejected.
    assertThat(auth.revokeApiKey(Actor.cli(), created.info().id())).isTrue();
    assertThat(auth.revokeApiKey(Actor.cli(), created.info().id())).isFalse();
    AuthResult revoked = auth.authenticator().authenticate(AuthFixture.apiKeyHeader(key));
    assertThat(revoked.status()).isEqualTo(AuthResult.Status.REJECTED);
    assertThat(revoked.reason().orElseThrow()).contains("revoked").doesNotContain(key);
    assertThat(auth.apiKeys(null).get(0).revoked()).isTrue();
  }

  @Test
  void apiKeysExpire() {
    CreatedApiKey created = auth.createApiKey(Actor.cli(), "deployer", "nightly", Set.of("operator"),
        AuthFixture.T0.plus(Duration.ofHours(1)));
    assertThat(auth.verifyApiKey(created.key()).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    f.clock.advance(Duration.ofHours(1));
    assertThat(auth.verifyApiKey(created.key()).reason()).hasValueSatisfying(r -> assertThat(r).contains("expired"));
    assertThatThrownBy(() -> auth.createApiKey(Actor.cli(), "deployer", "past", Set.of(), AuthFixture.T0))
        .hasMessageContaining("not in the future");
  }

  @Test
  void malformedApiKeysAreRejectedNotPassedOn() {
    String good = auth.createApiKey(Actor.cli(), "alice", "k", Set.of("viewer"), null).key();
    char last = good.charAt(good.length() - 1);
    String badChecksum = good.substring(0, good.length() - 1) + (last == 'a' ? 'b' : 'a');
    for (String bad : new String[] {"x", "sluice_ak_short", badChecksum, good + "x", "Bearer " + good}) {
      AuthResult r = auth.authenticator().authenticate(AuthFixture.apiKeyHeader(bad));
      assertThat(r.status()).as(bad).isEqualTo(AuthResult.Status.REJECTED);
    }
    assertThat(auth.authenticator().authenticate(AuthFixture.bearer(badChecksum)).status())
        .isEqualTo(AuthResult.Status.REJECTED);
    // A well-formed key that was never issued.
    assertThat(auth.verifyApiKey(OpaqueTokens.newToken(OpaqueTokens.API_KEY_PREFIX)).reason()).contains("unknown API key");
  }

  @Test
  void aDisabledOwnersKeysStopWorkingAndADeletedOwnersKeysAreGone() {
    String key = auth.createApiKey(Actor.cli(), "alice", "k", Set.of("viewer"), null).key();
    auth.setEnabled(Actor.cli(), "alice", false);
    assertThat(auth.verifyApiKey(key).status()).isEqualTo(AuthResult.Status.REJECTED);
    auth.setEnabled(Actor.cli(), "alice", true);
    assertThat(auth.verifyApiKey(key).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(auth.deleteUser(Actor.cli(), "alice")).isTrue();
    assertThat(auth.verifyApiKey(key).reason()).contains("unknown API key");
  }

  // --- chain -----------------------------------------------------------------------------------

  @Test
  void requestsWithoutCredentialsAreNotApplicable() {
    assertThat(auth.authenticator().authenticate(new AuthRequest("GET", "/", Map.of())).status())
        .isEqualTo(AuthResult.Status.NOT_APPLICABLE);
  }

  // --- signing keys ----------------------------------------------------------------------------

  @Test
  void rotationKeepsOldTokensValidUntilTheyExpireAndJwksListsBothKeys() throws Exception {
    TokenPair before = auth.login("alice", alicePassword, null);
    String oldKid = kidOf(before.accessToken());
    auth.rotateSigningKey(Actor.cli());
    TokenPair after = auth.login("alice", alicePassword, null);
    String newKid = kidOf(after.accessToken());
    assertThat(newKid).isNotEqualTo(oldKid);

    assertThat(auth.verifyAccessToken(before.accessToken()).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    JsonNode jwks = new ObjectMapper().readTree(auth.jwks());
    assertThat(jwks.get("keys")).extracting(k -> k.get("kid").asText()).containsExactly(oldKid, newKid);
    JsonNode k = jwks.get("keys").get(0);
    assertThat(k.get("kty").asText()).isEqualTo("EC");
    assertThat(k.get("crv").asText()).isEqualTo("P-256");
    assertThat(k.get("alg").asText()).isEqualTo("ES256");
    assertThat(k.has("d")).as("no private part").isFalse();
    assertThat(java.util.Base64.getUrlDecoder().decode(k.get("x").asText())).hasSize(32);

    // Past the old token's life the old key leaves the JWKS and its tokens are refused.
    f.clock.advance(Duration.ofMinutes(12));
    assertThat(auth.verifyAccessToken(before.accessToken()).status()).isEqualTo(AuthResult.Status.REJECTED);
    auth.rotateSigningKey(Actor.cli()); // cleans up keys retired long enough
    assertThat(new ObjectMapper().readTree(auth.jwks()).get("keys")).extracting(j -> j.get("kid").asText())
        .doesNotContain(oldKid);
  }

  @Test
  void signingKeysAreStoredEncryptedAndSurviveARestart() {
    TokenPair pair = auth.login("alice", alicePassword, null);
    var stored = f.store.authState().orElseThrow().signingKeys();
    assertThat(stored).hasSize(1);
    byte[] ciphertext = stored.get(0).privateKeyCiphertext();
    assertThat(dev.sluice.auth.SecretBox.version(ciphertext)).as("sealed by the master key").isEqualTo(2);
    // A second LocalAuth on the same store (a restart, another node) verifies and signs with the same key.
    LocalAuth restarted = LocalAuth.builder(f.store, f.secrets).clock(f.clock)
        .passwordHasher(PasswordHasher.withIterations(1_000)).build();
    assertThat(restarted.verifyAccessToken(pair.accessToken()).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(kidOf(restarted.login("alice", alicePassword, null).accessToken())).isEqualTo(stored.get(0).kid());
  }

  @Test
  void signingKeysRotateByAge() {
    LocalAuthSettings s = LocalAuthSettings.builder().signingKeyLifetime(Duration.ofDays(1)).build();
    AuthFixture g = new AuthFixture(s);
    char[] pw = AuthFixture.newPassword();
    g.auth.createUser(Actor.cli(), "u1", pw, Set.of("viewer"));
    String first = kidOf(g.auth.login("u1", pw, null).accessToken());
    g.clock.advance(Duration.ofHours(23));
    assertThat(kidOf(g.auth.login("u1", pw, null).accessToken())).isEqualTo(first);
    g.clock.advance(Duration.ofHours(2));
    assertThat(kidOf(g.auth.login("u1", pw, null).accessToken())).isNotEqualTo(first);
  }

  // --- roles and audit -------------------------------------------------------------------------

  @Test
  void customRolesCanBeGrantedAndAreExplained() {
    auth.saveRole(Actor.cli(), RoleDefinition.custom("deployer", "triggers orders", Set.of(PermissionGrant.parse("runs:trigger@orders-*"))));
    auth.createUser(Actor.cli(), "dave", AuthFixture.newPassword(), Set.of("deployer"));
    assertThat(auth.roles()).extracting(RoleDefinition::name).containsExactly("viewer", "operator", "admin", "deployer");
    Principal dave = new Principal("dave", Set.of("deployer"));
    assertThat(auth.accessPolicy().decide(dave, dev.sluice.auth.Permission.RUNS_TRIGGER, "orders-1").allowed()).isTrue();
    assertThatThrownBy(() -> auth.saveRole(Actor.cli(), RoleDefinition.builtIn("admin"))).hasMessageContaining("built-in");
    assertThatThrownBy(() -> auth.deleteRole(Actor.cli(), "viewer")).hasMessageContaining("built-in");
    assertThat(auth.deleteRole(Actor.cli(), "deployer")).isTrue();
  }

  @Test
  void theAuditLogRecordsLoginsAndChangesWithoutSecrets() {
    try {
      auth.login("alice", AuthFixture.newPassword(), "192.0.2.5");
    } catch (AuthenticationException expected) {
      // recorded
    }
    auth.login("alice", alicePassword, "192.0.2.5");
    CreatedApiKey key = auth.createApiKey(new Actor("root", "10.0.0.2"), "alice", "ci", Set.of("viewer"), null);
    auth.setRoles(new Actor("root", "10.0.0.2"), "alice", Set.of("viewer"));
    auth.audit(new Actor("root", "10.0.0.2"), "secret.set", "hubspot_token", true, null);

    List<AuditEvent> events = auth.auditEvents(Long.MAX_VALUE, 100);
    assertThat(events).extracting(AuditEvent::action)
        .containsSubsequence("secret.set", "user.roles", "api-key.create", "login", "login", "user.create");
    AuditEvent failed = events.stream().filter(e -> e.action().equals("login") && !e.success()).findFirst().orElseThrow();
    assertThat(failed.actor()).isEqualTo("alice");
    assertThat(failed.clientAddress()).isEqualTo("192.0.2.5");
    assertThat(failed.detail()).isEqualTo("wrong password");
    assertThat(events.get(0).at()).isEqualTo(AuthFixture.T0);
    String all = events.toString();
    assertThat(all).doesNotContain(new String(alicePassword)).doesNotContain(key.key());
  }

  private static String kidOf(String jwt) {
    return com.auth0.jwt.JWT.decode(jwt).getKeyId();
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> LocalAuthSettings.builder().accessTokenTtl(Duration.ofDays(2)))
        .hasMessageContaining("accessTokenTtl");
    assertThatThrownBy(() -> LocalAuthSettings.builder().issuer(" ")).hasMessageContaining("issuer");
    assertThat(Instant.parse("2026-06-01T08:00:00Z")).isEqualTo(AuthFixture.T0);
  }
}
