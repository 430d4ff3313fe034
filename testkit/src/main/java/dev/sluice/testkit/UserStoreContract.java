package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.ApiKey;
import dev.sluice.store.Store;
import dev.sluice.store.UserAccount;
import dev.sluice.store.UserStore;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a {@link Store} that offers {@link Store#users()} must do. Implement it on the store's
 * {@link StoreContract} subclass.
 */
public interface UserStoreContract {
  /**
   * The store under test ({@link StoreContract#store()}).
   *
   * @return the store, open
   */
  Store store();

  private UserStore users() {
    return store().users().orElseThrow(() -> new AssertionError(store() + " offers no users()"));
  }

  /**
   * Users are saved, replaced and deleted by name and listed sorted; API keys are found by hash,
   * listed per user, revoked by saving them again, and deleted with their user.
   */
  @Test
  default void usersAndTheirApiKeys() {
    Instant t0 = Instant.parse("2026-03-29T01:30:00.123Z");
    users().save(new UserAccount("zoe", "$2a$hash-z", Set.of("viewer"), true, t0));
    users().save(new UserAccount("adam", "$2a$hash-a", Set.of("admin", "operator"), true, t0));
    users().save(new UserAccount("zoe", "$2a$hash-z2", Set.of("operator"), false, t0));
    ApiKey key = new ApiKey("k1", "ci", "zoe", "sha256:abc", Set.of("operator"), t0, null, false);
    users().saveApiKey(key);
    users().saveApiKey(new ApiKey("k2", "other", "adam", "sha256:def", Set.of("viewer"), t0.plusSeconds(1),
        t0.plusSeconds(3600), false));

    assertThat(users().list()).extracting(UserAccount::username).containsExactly("adam", "zoe");
    UserAccount zoe = users().find("zoe").orElseThrow();
    assertThat(zoe.passwordHash()).isEqualTo("$2a$hash-z2");
    assertThat(zoe.roles()).containsExactly("operator");
    assertThat(zoe.enabled()).isFalse();
    assertThat(users().findApiKeyByHash("sha256:abc")).contains(key);
    assertThat(users().listApiKeys(null)).extracting(ApiKey::id).containsExactly("k1", "k2");
    assertThat(users().listApiKeys("adam")).extracting(ApiKey::id).containsExactly("k2");

    users().saveApiKey(new ApiKey("k1", "ci", "zoe", "sha256:abc", Set.of("operator"), t0, null, true));
    assertThat(users().findApiKeyByHash("sha256:abc")).hasValueSatisfying(k -> assertThat(k.revoked()).isTrue());

    assertThat(users().findApiKey("k2")).hasValueSatisfying(k -> assertThat(k.lastUsedAt()).isNull());
    users().recordApiKeyUse("k2", t0.plusSeconds(60));
    assertThat(users().findApiKey("k2")).hasValueSatisfying(k -> {
      assertThat(k.lastUsedAt()).isEqualTo(t0.plusSeconds(60));
      assertThat(k.expiresAt()).isEqualTo(t0.plusSeconds(3600));
    });
    assertThat(users().findApiKeyByHash("sha256:def").orElseThrow().lastUsedAt()).isEqualTo(t0.plusSeconds(60));
    users().recordApiKeyUse("missing", t0);
    assertThat(users().findApiKey("missing")).as("recording a use never creates a key").isEmpty();

    assertThat(users().delete("zoe")).isTrue();
    assertThat(users().find("zoe")).isEmpty();
    assertThat(users().findApiKeyByHash("sha256:abc")).as("a deleted user's keys go too").isEmpty();
    assertThat(users().delete("zoe")).isFalse();
  }

}
