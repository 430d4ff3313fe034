package dev.sluice.jdbc.internal;

import dev.sluice.store.SecretStore;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Secret ciphertexts in {@code sluice_secrets}. Thread-safe. Not API. */
public final class JdbcSecretStore implements SecretStore {
  private static final List<String> COLUMNS = List.of("name", "ciphertext", "updated_at");

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
  public void put(String name, byte[] ciphertext) {
    Objects.requireNonNull(name, "name");
    jdbc.update(() -> "store secret '" + name + "'", upsert, name, ciphertext.clone(), clock.instant());
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
}
