package dev.sluice.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Local users and API keys. Stores hashes only; authentication logic lives in {@code
 * dev.sluice.auth}.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public interface UserStore {

  /** Inserts or replaces the user with the same name. */
  void save(UserAccount user);

  Optional<UserAccount> find(String username);

  /** All users, by name. */
  List<UserAccount> list();

  /** @return whether the user existed; the user's API keys are removed too */
  boolean delete(String username);

  /** Inserts or replaces the key with the same id. */
  void saveApiKey(ApiKey key);

  Optional<ApiKey> findApiKeyByHash(String keyHash);

  /** Keys of one owner, or all when {@code owner} is null, by creation time. */
  List<ApiKey> listApiKeys(String owner);

  /** The key with this id. The default looks through {@link #listApiKeys}; stores may do better. */
  default Optional<ApiKey> findApiKey(String id) {
    return listApiKeys(null).stream().filter(k -> k.id().equals(id)).findFirst();
  }

  /**
   * Records that a key authenticated a request at {@code at}. The default reads and saves the key;
   * stores may do it in one statement. A key deleted meanwhile is not recreated.
   */
  default void recordApiKeyUse(String id, Instant at) {
    findApiKey(id).ifPresent(k -> saveApiKey(k.usedAt(at)));
  }
}
