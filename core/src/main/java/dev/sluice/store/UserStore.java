package dev.sluice.store;

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
}
