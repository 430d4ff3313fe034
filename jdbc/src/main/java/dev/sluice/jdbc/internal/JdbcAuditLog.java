package dev.sluice.jdbc.internal;

import dev.sluice.store.AuditEvent;
import dev.sluice.store.AuditLog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The audit log in {@code sluice_audit_log}, ids from the database. Thread-safe. Not API. */
public final class JdbcAuditLog implements AuditLog {
  private final Jdbc jdbc;

  public JdbcAuditLog(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public AuditEvent append(AuditEvent e) {
    return jdbc.withConnection(() -> "append audit event '" + e.action() + "'", c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO sluice_audit_log (occurred_at, actor, action_name,"
          + " target, success, client_address, detail) VALUES (?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
        jdbc.bind(ps, e.at(), e.actor(), e.action(), e.target(), e.success(), e.clientAddress(), e.detail());
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          if (!keys.next()) {
            throw new SQLException("the database returned no id for the audit event");
          }
          return e.withId(keys.getLong(1)); // PostgreSQL returns the row; the id is its first column
        }
      }
    });
  }

  @Override
  public List<AuditEvent> list(long beforeId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return jdbc.query(() -> "list audit events", "SELECT * FROM sluice_audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
        this::map, beforeId, limit);
  }

  @Override
  public int purge(Instant before) {
    Objects.requireNonNull(before, "before");
    return jdbc.update(() -> "purge audit events", "DELETE FROM sluice_audit_log WHERE occurred_at < ?", before);
  }

  private AuditEvent map(ResultSet rs) throws SQLException {
    return new AuditEvent(rs.getLong("id"), jdbc.dialect().getInstant(rs, "occurred_at"), rs.getString("actor"),
        rs.getString("action_name"), rs.getString("target"), rs.getBoolean("success"), rs.getString("client_address"),
        rs.getString("detail"));
  }

  @Override
  public String toString() {
    return "JdbcAuditLog";
  }
}
