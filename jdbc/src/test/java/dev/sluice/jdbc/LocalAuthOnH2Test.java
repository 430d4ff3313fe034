package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.auth.Actor;
import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.CreatedApiKey;
import dev.sluice.auth.LocalAuth;
import dev.sluice.auth.PasswordHasher;
import dev.sluice.auth.Secrets;
import dev.sluice.auth.TokenPair;
import dev.sluice.spi.AuthResult;
import dev.sluice.store.AuditEvent;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local authentication end to end on the JDBC store (embedded H2 file): two store instances on one
 * database act as two nodes; what one issues, the other accepts, and a reused refresh token revokes
 * the session for both.
 */
class LocalAuthOnH2Test {
  @TempDir Path dir;

  @Test
  void twoNodesShareUsersTokensKeysAndTheAuditLog() {
    JdbcStoreOptions options = JdbcStoreOptions.builder().url("jdbc:h2:file:" + dir.resolve("auth")).build();
    String master = "master-" + UUID.randomUUID();
    try (JdbcStore a = JdbcStore.open(options); JdbcStore b = JdbcStore.open(options)) {
      LocalAuth nodeA = LocalAuth.builder(a, Secrets.open(a.secrets().orElseThrow(), master.toCharArray()))
          .passwordHasher(PasswordHasher.withIterations(1_000)).build();
      LocalAuth nodeB = LocalAuth.builder(b, Secrets.open(b.secrets().orElseThrow(), master.toCharArray()))
          .passwordHasher(PasswordHasher.withIterations(1_000)).build();

      char[] password = ("pw-" + UUID.randomUUID()).toCharArray();
      nodeA.createUser(new Actor("root", "10.0.0.1"), "alice", password, Set.of("operator"));
      TokenPair first = nodeA.login("alice", password, "192.0.2.1");

      AuthResult onB = nodeB.verifyAccessToken(first.accessToken());
      assertThat(onB.status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
      assertThat(onB.principal().orElseThrow().roles()).containsExactly("operator");
      assertThat(nodeB.jwks()).isEqualTo(nodeA.jwks());

      TokenPair second = nodeB.refresh(first.refreshToken(), null);
      assertThatThrownBy(() -> nodeA.refresh(first.refreshToken(), "203.0.113.5"))
          .isInstanceOfSatisfying(AuthenticationException.class,
              e -> assertThat(e.reason()).isEqualTo(AuthenticationException.Reason.TOKEN_REUSED));
      assertThatThrownBy(() -> nodeB.refresh(second.refreshToken(), null)).isInstanceOf(AuthenticationException.class);

      CreatedApiKey key = nodeA.createApiKey(Actor.cli(), "alice", "ci", Set.of("viewer"), null);
      assertThat(nodeB.verifyApiKey(key.key()).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
      assertThat(nodeA.apiKeys("alice").get(0).lastUsedAt()).isNotNull();
      nodeB.revokeApiKey(Actor.cli(), key.info().id());
      assertThat(nodeA.verifyApiKey(key.key()).status()).isEqualTo(AuthResult.Status.REJECTED);

      assertThat(nodeB.auditEvents(Long.MAX_VALUE, 50)).extracting(AuditEvent::action)
          .containsSubsequence("api-key.revoke", "api-key.create", "token.reuse", "login", "user.create");
    }
  }
}
