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

  /**
   * Inserts or replaces the user with the same name.
   *
   * @param user the user, never null
   */
  void save(UserAccount user);

  /**
   * The user with this name.
   *
   * @param username the name, case-sensitive
   * @return the user, or empty when there is none
   */
  Optional<UserAccount> find(String username);

  /**
   * All users, by name.
   *
   * @return every user, never null
   */
  List<UserAccount> list();

  /**
   * Deletes a user and the user's API keys.
   *
   * @param username the name
   * @return whether the user existed; the user's API keys are removed too
   */
  boolean delete(String username);

  /**
   * Inserts or replaces the key with the same id.
   *
   * @param key the key, with its hash only, never null
   */
  void saveApiKey(ApiKey key);

  /**
   * The API key with this hash, whatever its state (revoked or expired).
   *
   * @param keyHash the hash, as in {@link ApiKey#keyHash()}
   * @return the key, or empty when none has this hash
   */
  Optional<ApiKey> findApiKeyByHash(String keyHash);

  /**
   * Keys of one owner, or all, by creation time.
   *
   * @param owner the owning user name, or null for every key
   * @return the keys, never null
   */
  List<ApiKey> listApiKeys(String owner);

  /**
   * The key with this id. The default looks through {@link #listApiKeys}; stores may do better.
   *
   * @param id the key id, as in {@link ApiKey#id()}
   * @return the key, or empty when none has this id
   */
  default Optional<ApiKey> findApiKey(String id) {
    return listApiKeys(null).stream().filter(k -> k.id().equals(id)).findFirst();
  }

  /**
   * Records that a key authenticated a request at {@code at}. The default reads and saves the key;
   * stores may do it in one statement. A key deleted meanwhile is not recreated.
   *
   * @param id the key id
   * @param at when it was used
   */
  default void recordApiKeyUse(String id, Instant at) {
    findApiKey(id).ifPresent(k -> saveApiKey(k.usedAt(at)));
  }
}
