package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.store.AuthStateStore;
import dev.sluice.store.LoginFailures;
import dev.sluice.store.RefreshToken;
import dev.sluice.store.SigningKey;
import dev.sluice.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What a {@link Store} that offers {@link Store#authState()} must do. Implement it on the store's
 * {@link StoreContract} subclass.
 */
public interface AuthStateStoreContract {
  /**
   * The store under test ({@link StoreContract#store()}).
   *
   * @return the store, the same instance for the whole test
   */
  Store store();

  /**
   * A second instance on the same data ({@link StoreContract#secondInstance()}), as a second node
   * of a cluster would open it.
   *
   * @return the second instance; the contract closes it
   * @throws Exception when it can't be opened
   */
  Store secondInstance() throws Exception;

  private AuthStateStore state() {
    return store().authState().orElseThrow(() -> new AssertionError(store() + " offers no authState()"));
  }

  /** The time the contract's records carry: in a DST change, with milliseconds, to catch rounding. */
  Instant T = Instant.parse("2026-03-29T01:30:00.123Z");

  /** Signing keys come back with their exact public and private bytes, and retire on request. */
  @Test
  default void signingKeysAreKeptWithTheirBytesAndRetirement() {
    byte[] pub = {1, 2, 3, 0, -1, 127};
    byte[] priv = new byte[300];
    for (int i = 0; i < priv.length; i++) {
      priv[i] = (byte) i;
    }
    SigningKey k2 = new SigningKey("k2", "ES256", pub, priv, T.plusSeconds(10), null);
    SigningKey k1 = new SigningKey("k1_-A", "ES256", pub, priv, T, null);
    state().saveSigningKey(k2);
    state().saveSigningKey(k1);
    assertThat(state().signingKeys()).containsExactly(k1, k2);
    state().saveSigningKey(k1.retired(T.plusSeconds(20)));
    assertThat(state().signingKeys().get(0).retiredAt()).isEqualTo(T.plusSeconds(20));
    assertThat(state().signingKeys().get(0).privateKeyCiphertext()).isEqualTo(priv);
    assertThat(state().deleteSigningKey("k1_-A")).isTrue();
    assertThat(state().deleteSigningKey("k1_-A")).isFalse();
    assertThat(state().signingKeys()).containsExactly(k2);
  }

  /** A refresh token is used at most once; revoking its family or its user revokes it. */
  @Test
  default void refreshTokensAreUsedOnceAndRevokedByFamilyOrUser() {
    state().saveRefreshToken(new RefreshToken("h1", "fam1", "alice", T, T.plusSeconds(3600), null, null));
    state().saveRefreshToken(new RefreshToken("h2", "fam1", "alice", T, T.plusSeconds(3600), null, null));
    state().saveRefreshToken(new RefreshToken("h3", "fam2", "alice", T, T.plusSeconds(60), null, null));
    state().saveRefreshToken(new RefreshToken("h4", "fam3", "bob", T, T.plusSeconds(3600), null, null));
    assertThatThrownBy(() -> state().saveRefreshToken(new RefreshToken("h1", "x", "x", T, T, null, null)))
        .as("a token hash is unique").isInstanceOf(RuntimeException.class);

    assertThat(state().markRefreshTokenUsed("h1", T.plusSeconds(1))).isTrue();
    assertThat(state().markRefreshTokenUsed("h1", T.plusSeconds(2))).as("only once").isFalse();
    assertThat(state().markRefreshTokenUsed("nope", T)).isFalse();
    assertThat(state().findRefreshToken("h1")).hasValueSatisfying(t -> {
      assertThat(t.usedAt()).isEqualTo(T.plusSeconds(1));
      assertThat(t.familyId()).isEqualTo("fam1");
      assertThat(t.username()).isEqualTo("alice");
      assertThat(t.expiresAt()).isEqualTo(T.plusSeconds(3600));
    });

    assertThat(state().revokeRefreshTokenFamily("fam1", T.plusSeconds(5))).isEqualTo(2);
    assertThat(state().revokeRefreshTokenFamily("fam1", T.plusSeconds(6))).as("already revoked").isZero();
    assertThat(state().findRefreshToken("h2").orElseThrow().revokedAt()).isEqualTo(T.plusSeconds(5));
    assertThat(state().markRefreshTokenUsed("h2", T.plusSeconds(7))).as("a revoked token can't be used").isFalse();
    assertThat(state().findRefreshToken("h3").orElseThrow().revokedAt()).isNull();

    assertThat(state().revokeRefreshTokensOf("alice", T.plusSeconds(8))).isEqualTo(1);
    assertThat(state().findRefreshToken("h4").orElseThrow().revokedAt()).isNull();

    assertThat(state().purgeRefreshTokens(T.plusSeconds(61))).isEqualTo(1);
    assertThat(state().findRefreshToken("h3")).isEmpty();
    assertThat(state().findRefreshToken("h4")).isPresent();
  }

  /**
   * Of many concurrent uses of one refresh token, through two instances, exactly one wins.
   *
   * @throws Exception when the second instance can't be opened or a use fails
   */
  @Test
  default void ofManyConcurrentUsesOfOneRefreshTokenExactlyOneWinsAcrossInstances() throws Exception {
    state().saveRefreshToken(new RefreshToken("race", "fam", "alice", T, T.plusSeconds(3600), null, null));
    Store second = secondInstance();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        AuthStateStore s = (i % 2 == 0 ? store() : second).authState().orElseThrow();
        Callable<Boolean> use = () -> s.markRefreshTokenUsed("race", T.plusSeconds(1));
        results.add(pool.submit(use));
      }
      int winners = 0;
      for (Future<Boolean> r : results) {
        winners += r.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
      if (second != store()) {
        second.close();
      }
    }
  }

  /** Failed-login counts are kept per subject (a user or a client address) and can be cleared. */
  @Test
  default void loginFailuresAreCountedPerSubject() {
    assertThat(state().loginFailures("user:alice")).isEmpty();
    state().saveLoginFailures(new LoginFailures("user:alice", 1, T, null));
    state().saveLoginFailures(new LoginFailures("address:192.0.2.1", 3, T, null));
    state().saveLoginFailures(new LoginFailures("user:alice", 5, T, T.plusSeconds(900)));
    assertThat(state().loginFailures("user:alice")).contains(new LoginFailures("user:alice", 5, T, T.plusSeconds(900)));
    assertThat(state().listLoginFailures()).extracting(LoginFailures::subject)
        .containsExactly("address:192.0.2.1", "user:alice");
    assertThat(state().clearLoginFailures("user:alice")).isTrue();
    assertThat(state().clearLoginFailures("user:alice")).isFalse();
    assertThat(state().loginFailures("user:alice")).isEmpty();
  }
}
