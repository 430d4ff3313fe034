package dev.sluice.jdbc.internal;

import dev.sluice.store.ApiKey;
import dev.sluice.store.UserAccount;
import dev.sluice.store.UserStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Users in {@code sluice_users}, API keys in {@code sluice_api_keys}. Thread-safe. Not API. */
public final class JdbcUserStore implements UserStore {
  private static final List<String> USER_COLUMNS = List.of("username", "password_hash", "roles", "enabled", "created_at");
  private static final List<String> KEY_COLUMNS = List.of("id", "name", "owner", "key_hash", "roles",
      "created_at", "expires_at", "revoked", "last_used_at");

  private final Jdbc jdbc;
  private final JsonColumns json;
  private final String upsertUser;
  private final String upsertKey;

  public JdbcUserStore(Jdbc jdbc, JsonColumns json) {
    this.jdbc = jdbc;
    this.json = json;
    Dialect d = jdbc.dialect();
    this.upsertUser = d.upsert("sluice_users", USER_COLUMNS, USER_COLUMNS.stream().map(c -> "?").toList(),
        List.of("username"));
    this.upsertKey = d.upsert("sluice_api_keys", KEY_COLUMNS, KEY_COLUMNS.stream().map(c -> "?").toList(),
        List.of("id"));
  }

  @Override
  public void save(UserAccount user) {
    jdbc.update(() -> "save user '" + user.username() + "'", upsertUser, user.username(),
        user.passwordHash(), json.writeRoles(user.roles()), user.enabled(), user.createdAt());
  }

  @Override
  public Optional<UserAccount> find(String username) {
    return jdbc.queryOne(() -> "find user '" + username + "'",
        "SELECT * FROM sluice_users WHERE username = ?", this::mapUser, username);
  }

  @Override
  public List<UserAccount> list() {
    // Sorted here, not by the database's collation, so every store orders names alike.
    return jdbc.query(() -> "list users", "SELECT * FROM sluice_users", this::mapUser).stream()
        .sorted(Comparator.comparing(UserAccount::username))
        .toList();
  }

  @Override
  public boolean delete(String username) {
    return jdbc.inTransaction(() -> "delete user '" + username + "'", c -> {
      jdbc.update(c, "DELETE FROM sluice_api_keys WHERE owner = ?", username);
      return jdbc.update(c, "DELETE FROM sluice_users WHERE username = ?", username) > 0;
    });
  }

  @Override
  public void saveApiKey(ApiKey key) {
    jdbc.update(() -> "save API key '" + key.id() + "' of user '" + key.owner() + "'", upsertKey, key.id(),
        key.name(), key.owner(), key.keyHash(), json.writeRoles(key.roles()), key.createdAt(),
        key.expiresAt(), key.revoked(), key.lastUsedAt());
  }

  @Override
  public Optional<ApiKey> findApiKeyByHash(String keyHash) {
    // Never put the hash in a message.
    return jdbc.queryOne(() -> "look up an API key by hash",
        "SELECT * FROM sluice_api_keys WHERE key_hash = ?", this::mapKey, keyHash);
  }

  @Override
  public Optional<ApiKey> findApiKey(String id) {
    return jdbc.queryOne(() -> "find API key '" + id + "'", "SELECT * FROM sluice_api_keys WHERE id = ?",
        this::mapKey, id);
  }

  @Override
  public void recordApiKeyUse(String id, Instant at) {
    jdbc.update(() -> "record the use of API key '" + id + "'",
        "UPDATE sluice_api_keys SET last_used_at = ? WHERE id = ?", at, id);
  }

  @Override
  public List<ApiKey> listApiKeys(String owner) {
    List<ApiKey> keys = owner == null
        ? jdbc.query(() -> "list API keys", "SELECT * FROM sluice_api_keys", this::mapKey)
        : jdbc.query(() -> "list API keys of user '" + owner + "'",
            "SELECT * FROM sluice_api_keys WHERE owner = ?", this::mapKey, owner);
    return keys.stream()
        .sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id))
        .toList();
  }

  private UserAccount mapUser(ResultSet rs) throws SQLException {
    return new UserAccount(rs.getString("username"), rs.getString("password_hash"),
        json.readRoles(rs.getString("roles")), rs.getBoolean("enabled"),
        jdbc.dialect().getInstant(rs, "created_at"));
  }

  private ApiKey mapKey(ResultSet rs) throws SQLException {
    Dialect d = jdbc.dialect();
    return new ApiKey(rs.getString("id"), rs.getString("name"), rs.getString("owner"),
        rs.getString("key_hash"), json.readRoles(rs.getString("roles")), d.getInstant(rs, "created_at"),
        d.getInstant(rs, "expires_at"), rs.getBoolean("revoked"), d.getInstant(rs, "last_used_at"));
  }
}
