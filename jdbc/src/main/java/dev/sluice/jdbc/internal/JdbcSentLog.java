package dev.sluice.jdbc.internal;

import dev.sluice.store.SentLog;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;

/**
 * Notifications already sent, in {@code sluice_sent_log}, shared by every store on the database.
 * Each call is one auto-committed statement (two when a key recorded again moves its expiry), so a
 * recorded key is durable when {@link #record} returns. Thread-safe. Not API.
 */
public final class JdbcSentLog implements SentLog {
  private final Jdbc jdbc;

  public JdbcSentLog(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public boolean contains(String scope, String key) {
    SentLog.checkArgument(scope, "scope");
    SentLog.checkArgument(key, "key");
    return jdbc.queryOne(() -> "look up sent notification in scope '" + scope + "'",
        "SELECT 1 FROM sluice_sent_log WHERE scope = ? AND sent_key = ?", rs -> rs.getInt(1), scope, key)
        .isPresent();
  }

  @Override
  public void record(String scope, String key, Instant expiresAt) {
    SentLog.checkArgument(scope, "scope");
    SentLog.checkArgument(key, "key");
    Objects.requireNonNull(expiresAt, "expiresAt");
    jdbc.withConnection(() -> "record sent notification in scope '" + scope + "'", c -> {
      try {
        return jdbc.update(c, "INSERT INTO sluice_sent_log (scope, sent_key, expires_at) VALUES (?, ?, ?)",
            scope, key, expiresAt);
      } catch (SQLException e) {
        if (!Jdbc.isDuplicateKey(e)) {
          throw e;
        }
        return jdbc.update(c, "UPDATE sluice_sent_log SET expires_at = ? WHERE scope = ? AND sent_key = ?"
            + " AND expires_at < ?", expiresAt, scope, key, expiresAt);
      }
    });
  }

  @Override
  public int purgeExpired(Instant now) {
    Objects.requireNonNull(now, "now");
    return jdbc.update(() -> "purge expired sent notifications",
        "DELETE FROM sluice_sent_log WHERE expires_at <= ?", now);
  }

  @Override
  public String toString() {
    return "JdbcSentLog";
  }
}
