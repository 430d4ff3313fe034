package dev.sluice.jdbc.internal;

import dev.sluice.store.ReplayCache;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;

/**
 * Webhook deliveries in {@code sluice_webhook_replays}, shared by every store on the database.
 * A reservation is an insert into the primary key (scope, key), so of two nodes reserving the same
 * key exactly one succeeds; expired rows are deleted first, and unprotected rows only when the
 * scope is full. Thread-safe. Not API.
 */
public final class JdbcReplayCache implements ReplayCache {
  private static final int MAX_LENGTH = 200;

  private final Jdbc jdbc;

  public JdbcReplayCache(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Reservation reserve(String scope, String key, Instant now, Instant expiresAt, Instant protectedUntil,
      int capacity) {
    check(scope, "scope");
    check(key, "key");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    // Auto-commit statements: each is atomic on its own, and the insert decides who wins.
    return jdbc.withConnection(() -> "remember webhook delivery in scope '" + scope + "'", c -> {
      jdbc.update(c, "DELETE FROM sluice_webhook_replays WHERE expires_at <= ?", now);
      if (present(c, scope, key)) {
        return Reservation.DUPLICATE;
      }
      if (count(c, scope) >= capacity) {
        jdbc.update(c, "DELETE FROM sluice_webhook_replays WHERE scope = ? AND protected_until <= ?", scope, now);
        if (count(c, scope) >= capacity) {
          return Reservation.FULL;
        }
      }
      try {
        jdbc.update(c, "INSERT INTO sluice_webhook_replays (scope, replay_key, expires_at, protected_until)"
            + " VALUES (?, ?, ?, ?)", scope, key, expiresAt, protectedUntil);
        return Reservation.RESERVED;
      } catch (SQLException e) {
        if (Jdbc.isDuplicateKey(e)) {
          return Reservation.DUPLICATE; // another node reserved it a moment ago
        }
        throw e;
      }
    });
  }

  @Override
  public void release(String scope, String key) {
    jdbc.update(() -> "forget webhook delivery in scope '" + scope + "'",
        "DELETE FROM sluice_webhook_replays WHERE scope = ? AND replay_key = ?", scope, key);
  }

  private boolean present(Connection c, String scope, String key) throws SQLException {
    return !jdbc.query(c, "SELECT 1 FROM sluice_webhook_replays WHERE scope = ? AND replay_key = ?",
        rs -> rs.getInt(1), scope, key).isEmpty();
  }

  private long count(Connection c, String scope) throws SQLException {
    return jdbc.query(c, "SELECT COUNT(*) FROM sluice_webhook_replays WHERE scope = ?", rs -> rs.getLong(1), scope)
        .get(0);
  }

  private static void check(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_LENGTH + " characters");
    }
  }
}
