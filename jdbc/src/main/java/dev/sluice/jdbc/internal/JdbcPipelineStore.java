package dev.sluice.jdbc.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.store.ConfigDocument;
import dev.sluice.store.PipelineStore;
import dev.sluice.store.StaleVersionException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Stored configurations: pipelines in {@code sluice_pipelines}, destinations in {@code
 * sluice_destinations}, rules in {@code sluice_rules}. Optimistic locking by a version column:
 * an update only matches the row at the version the caller read. Thread-safe. Not API.
 */
public final class JdbcPipelineStore implements PipelineStore {
  private final Jdbc jdbc;
  private final JsonColumns json;
  private final Clock clock;

  public JdbcPipelineStore(Jdbc jdbc, JsonColumns json, Clock clock) {
    this.jdbc = jdbc;
    this.json = json;
    this.clock = clock;
  }

  private static String table(ConfigDocument.Kind kind) {
    switch (kind) {
      case PIPELINE:
        return "sluice_pipelines";
      case DESTINATION:
        return "sluice_destinations";
      default:
        return "sluice_rules";
    }
  }

  private static String label(ConfigDocument.Kind kind, String name) {
    return kind.name().toLowerCase(Locale.ROOT) + " '" + name + "'";
  }

  @Override
  public ConfigDocument put(ConfigDocument.Kind kind, String name, ObjectNode spec, long expectedVersion) {
    String table = table(kind);
    Instant now = clock.instant();
    String text = json.write(spec);
    return jdbc.withConnection(() -> "store " + label(kind, name), c -> {
      int changed;
      if (expectedVersion == 0) {
        try {
          changed = jdbc.update(c, "INSERT INTO " + table + " (name, spec, version, updated_at) VALUES (?, ?, 1, ?)",
              name, text, now);
        } catch (SQLException e) {
          if (!Jdbc.isDuplicateKey(e)) {
            throw e;
          }
          changed = 0;
        }
      } else {
        changed = jdbc.update(c, "UPDATE " + table + " SET spec = ?, version = version + 1, updated_at = ? "
            + "WHERE name = ? AND version = ?", text, now, name, expectedVersion);
      }
      if (changed == 0) {
        long actual = jdbc.query(c, "SELECT version FROM " + table + " WHERE name = ?", rs -> rs.getLong(1), name)
            .stream().findFirst().orElse(0L);
        throw new StaleVersionException(kind, name, expectedVersion, actual);
      }
      return new ConfigDocument(kind, name, spec, expectedVersion + 1, now);
    });
  }

  @Override
  public Optional<ConfigDocument> get(ConfigDocument.Kind kind, String name) {
    return jdbc.queryOne(() -> "read " + label(kind, name),
        "SELECT * FROM " + table(kind) + " WHERE name = ?", rs -> map(kind, rs), name);
  }

  @Override
  public List<ConfigDocument> list(ConfigDocument.Kind kind) {
    return jdbc.query(() -> "list " + table(kind), "SELECT * FROM " + table(kind), rs -> map(kind, rs))
        .stream().sorted(Comparator.comparing(ConfigDocument::name)).toList();
  }

  @Override
  public boolean delete(ConfigDocument.Kind kind, String name) {
    return jdbc.update(() -> "delete " + label(kind, name), "DELETE FROM " + table(kind) + " WHERE name = ?", name) > 0;
  }

  private ConfigDocument map(ConfigDocument.Kind kind, ResultSet rs) throws SQLException {
    return new ConfigDocument(kind, rs.getString("name"),
        json.readObject(rs.getString("spec"), table(kind) + ".spec"), rs.getLong("version"),
        jdbc.dialect().getInstant(rs, "updated_at"));
  }
}
