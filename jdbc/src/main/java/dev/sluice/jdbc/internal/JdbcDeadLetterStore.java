package dev.sluice.jdbc.internal;

import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.DeadLetterStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Dead letters in {@code sluice_dead_letters}; ids come from the database. Thread-safe. Not API. */
public final class JdbcDeadLetterStore implements DeadLetterStore {
  private final Jdbc jdbc;
  private final JsonColumns json;

  public JdbcDeadLetterStore(Jdbc jdbc, JsonColumns json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  @Override
  public DeadLetter add(DeadLetter d) {
    return jdbc.withConnection(
        () -> "park a dead letter of pipeline '" + d.pipeline() + "', destination '" + d.destination()
            + "', record key '" + d.recordKey() + "'",
        c -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO sluice_dead_letters (pipeline, "
                  + "destination, run_id, record_key, record_json, original_json, reason, attempts, "
                  + "first_failed_at, last_failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              Statement.RETURN_GENERATED_KEYS)) {
            jdbc.bind(ps, d.pipeline(), d.destination(), d.runId(), d.recordKey(), json.write(d.record()),
                d.original() == null ? null : json.write(d.original()), d.reason(), d.attempts(),
                d.firstFailedAt(), d.lastFailedAt());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
              if (!keys.next()) {
                throw new SQLException("the database returned no id for the new dead letter");
              }
              // PostgreSQL returns the whole row; the id is its first column.
              return d.withId(keys.getLong(1));
            }
          }
        });
  }

  @Override
  public Optional<DeadLetter> find(long id) {
    return jdbc.queryOne(() -> "find dead letter " + id, "SELECT * FROM sluice_dead_letters WHERE id = ?",
        this::map, id);
  }

  @Override
  public List<DeadLetter> list(DeadLetterQuery query) {
    Where where = where(query);
    where.params.add(query.limit());
    return jdbc.query(() -> "list dead letters (" + query + ")",
        "SELECT * FROM sluice_dead_letters" + where.sql + " ORDER BY id LIMIT ?", this::map,
        where.params.toArray());
  }

  @Override
  public long count(DeadLetterQuery query) {
    Where where = where(query);
    return jdbc.queryOne(() -> "count dead letters (" + query + ")",
        "SELECT COUNT(*) FROM sluice_dead_letters" + where.sql, rs -> rs.getLong(1),
        where.params.toArray()).orElse(0L);
  }

  /** In place: the id stays (a replay that failed again keeps its dead letter's id). */
  @Override
  public Optional<DeadLetter> update(DeadLetter d) {
    int n = jdbc.update(() -> "update dead letter " + d.id(), "UPDATE sluice_dead_letters SET pipeline = ?, "
            + "destination = ?, run_id = ?, record_key = ?, record_json = ?, original_json = ?, reason = ?, "
            + "attempts = ?, first_failed_at = ?, last_failed_at = ? WHERE id = ?",
        d.pipeline(), d.destination(), d.runId(), d.recordKey(), json.write(d.record()),
        d.original() == null ? null : json.write(d.original()), d.reason(), d.attempts(), d.firstFailedAt(),
        d.lastFailedAt(), d.id());
    return n > 0 ? Optional.of(d) : Optional.empty();
  }

  @Override
  public boolean delete(long id) {
    return jdbc.update(() -> "delete dead letter " + id, "DELETE FROM sluice_dead_letters WHERE id = ?", id) > 0;
  }

  @Override
  public long purge(DeadLetterQuery query) {
    Where where = where(query);
    return jdbc.update(() -> "purge dead letters (" + query + ")",
        "DELETE FROM sluice_dead_letters" + where.sql, where.params.toArray());
  }

  private static Where where(DeadLetterQuery query) {
    Where w = new Where();
    StringBuilder sql = new StringBuilder(" WHERE id > ?");
    w.params.add(query.afterId());
    if (query.pipeline() != null) {
      sql.append(" AND pipeline = ?");
      w.params.add(query.pipeline());
    }
    if (query.destination() != null) {
      sql.append(" AND destination = ?");
      w.params.add(query.destination());
    }
    w.sql = sql.toString();
    return w;
  }

  private static final class Where {
    String sql;
    final List<Object> params = new ArrayList<>();
  }

  private DeadLetter map(ResultSet rs) throws SQLException {
    Dialect d = jdbc.dialect();
    return new DeadLetter(rs.getLong("id"), rs.getString("pipeline"), rs.getString("destination"),
        rs.getString("run_id"), rs.getString("record_key"),
        json.readObject(rs.getString("record_json"), "sluice_dead_letters.record_json"),
        json.readObject(rs.getString("original_json"), "sluice_dead_letters.original_json"),
        rs.getString("reason"), rs.getInt("attempts"), d.getInstant(rs, "first_failed_at"),
        d.getInstant(rs, "last_failed_at"));
  }
}
