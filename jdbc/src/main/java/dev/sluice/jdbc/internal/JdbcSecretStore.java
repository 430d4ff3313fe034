package dev.sluice.jdbc.internal;

import dev.sluice.store.SecretKeyRecord;
import dev.sluice.store.SecretStore;
import dev.sluice.store.StaleSecretKeyException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Secret ciphertexts in {@code sluice_secrets}, the key record in force in {@code
 * sluice_secret_keys} (one row, slot 1). Thread-safe. Not API.
 *
 * <p>A put and a key replacement both lock the key row ({@code SELECT ... FOR UPDATE}) in their
 * transaction, so they run one after the other: a put checks the key it was encrypted under is
 * still in force, and a replacement sees every secret stored before it and none stored after.
 */
public final class JdbcSecretStore implements SecretStore {
  private static final List<String> COLUMNS = List.of("name", "ciphertext", "updated_at");
  private static final String LOCK_KEY = "SELECT key_id FROM sluice_secret_keys WHERE slot = 1 FOR UPDATE";

  private final Jdbc jdbc;
  private final Clock clock;
  private final String upsert;

  public JdbcSecretStore(Jdbc jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.upsert = jdbc.dialect().upsert("sluice_secrets", COLUMNS, COLUMNS.stream().map(c -> "?").toList(),
        List.of("name"));
  }

  @Override
  public Optional<SecretKeyRecord> keyRecord() {
    return jdbc.queryOne(() -> "read the secret key record",
        "SELECT key_id, parameters FROM sluice_secret_keys WHERE slot = 1",
        rs -> new SecretKeyRecord(rs.getString(1), rs.getString(2)));
  }

  @Override
  public void put(String keyId, String name, byte[] ciphertext) {
    Objects.requireNonNull(name, "name");
    byte[] copy = ciphertext.clone();
    jdbc.inTransaction(() -> "store secret '" + name + "'", c -> {
      String current = lockKey(c);
      if (current == null || !current.equals(keyId)) {
        throw new StaleSecretKeyException("secret '" + name + "' was encrypted under key '" + keyId
            + "', but the key in force is " + (current == null ? "none" : "'" + current + "'") + "; nothing was stored");
      }
      return jdbc.update(c, upsert, name, copy, clock.instant());
    });
  }

  @Override
  public Optional<byte[]> get(String name) {
    return jdbc.queryOne(() -> "read secret '" + name + "'",
        "SELECT ciphertext FROM sluice_secrets WHERE name = ?", rs -> rs.getBytes(1), name);
  }

  @Override
  public List<String> names() {
    return jdbc.query(() -> "list secret names", "SELECT name FROM sluice_secrets", rs -> rs.getString(1))
        .stream().sorted().toList();
  }

  @Override
  public boolean delete(String name) {
    return jdbc.update(() -> "delete secret '" + name + "'", "DELETE FROM sluice_secrets WHERE name = ?", name) > 0;
  }

  @Override
  public void replaceKey(String expectedKeyId, SecretKeyRecord next, Map<String, byte[]> ciphertexts) {
    Objects.requireNonNull(next, "next");
    jdbc.inTransaction(() -> "replace the secret key and re-encrypt " + ciphertexts.size() + " secret(s)", c -> {
      String current = lockKey(c);
      if (!Objects.equals(current, expectedKeyId)) {
        throw new StaleSecretKeyException("the secret key in force is " + (current == null ? "none" : "'" + current + "'")
            + ", not " + (expectedKeyId == null ? "none" : "'" + expectedKeyId + "'") + " as expected; nothing was changed");
      }
      if (current == null) {
        // Two first opens race on this insert (there is no row to lock yet); the primary key lets
        // one win and fails the other, whose transaction rolls back.
        try {
          jdbc.update(c, "INSERT INTO sluice_secret_keys (slot, key_id, parameters, created_at) VALUES (1, ?, ?, ?)",
              next.id(), next.parameters(), clock.instant());
        } catch (SQLException e) {
          if (Jdbc.isDuplicateKey(e)) {
            throw new StaleSecretKeyException("another process created the secret key meanwhile; nothing was changed");
          }
          throw e;
        }
      } else {
        jdbc.update(c, "UPDATE sluice_secret_keys SET key_id = ?, parameters = ?, created_at = ? WHERE slot = 1",
            next.id(), next.parameters(), clock.instant());
      }
      List<String> missing = new ArrayList<>();
      for (String name : jdbc.query(c, "SELECT name FROM sluice_secrets", rs -> rs.getString(1))) {
        byte[] ciphertext = ciphertexts.get(name);
        if (ciphertext == null) {
          missing.add(name);
        } else {
          jdbc.update(c, "UPDATE sluice_secrets SET ciphertext = ?, updated_at = ? WHERE name = ?",
              ciphertext.clone(), clock.instant(), name);
        }
      }
      if (!missing.isEmpty()) {
        throw new StaleSecretKeyException("secrets " + missing.stream().sorted().toList() + " were not re-encrypted"
            + " (stored meanwhile?); nothing was changed");
      }
      return null;
    });
  }

  /** Locks the key row until the transaction ends; its key id, or null when there is none. */
  private String lockKey(Connection c) throws SQLException {
    List<String> ids = jdbc.query(c, LOCK_KEY, rs -> rs.getString(1));
    return ids.isEmpty() ? null : ids.get(0);
  }
}
