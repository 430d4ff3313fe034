package dev.sluice.jdbc.internal;

import dev.sluice.jdbc.JdbcStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * A small JDBC helper for the store parts: statements with bound parameters, row mapping, and
 * transactions, with every {@link SQLException} turned into a {@link JdbcStoreException} that says
 * what the store was doing. Not API.
 *
 * <p>Thread-safe: holds only the data source and dialect.
 */
public final class Jdbc {
  private final DataSource dataSource;
  private final Dialect dialect;

  public Jdbc(DataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Maps the current row. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   *
   * @param what what the store was doing, for the error message ("commit the checkpoint of
   *     pipeline 'orders'")
   */
  public <T> T inTransaction(Supplier<String> what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** Runs {@code work} on one connection in auto-commit mode. */
  public <T> T withConnection(Supplier<String> what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** Executes an update; returns the number of rows changed. */
  public int update(Supplier<String> what, String sql, Object... params) {
    return withConnection(what, c -> update(c, sql, params));
  }

  public <T> List<T> query(Supplier<String> what, String sql, RowMapper<T> mapper, Object... params) {
    return withConnection(what, c -> query(c, sql, mapper, params));
  }

  public <T> Optional<T> queryOne(Supplier<String> what, String sql, RowMapper<T> mapper, Object... params) {
    List<T> rows = query(what, sql, mapper, params);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  public int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  public <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    }
  }

  /** Binds parameters 1..n: strings, numbers, booleans, byte arrays, instants and nulls. */
  public void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      int index = i + 1;
      if (p == null) {
        ps.setNull(index, Types.NULL);
      } else if (p instanceof Instant) {
        dialect.setInstant(ps, index, (Instant) p);
      } else if (p instanceof String) {
        ps.setString(index, (String) p);
      } else if (p instanceof Long) {
        ps.setLong(index, (Long) p);
      } else if (p instanceof Integer) {
        ps.setInt(index, (Integer) p);
      } else if (p instanceof Boolean) {
        ps.setBoolean(index, (Boolean) p);
      } else if (p instanceof byte[]) {
        ps.setBytes(index, (byte[]) p);
      } else {
        throw new IllegalArgumentException("no binding for " + p.getClass().getName());
      }
    }
  }

  /** A statement whose key already exists (SQLState class 23, integrity constraint violation). */
  public static boolean isDuplicateKey(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
        return true;
      }
    }
    return false;
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static JdbcStoreException failure(Supplier<String> what, SQLException e) {
    return new JdbcStoreException("store: could not " + what.get() + ": " + e.getMessage()
        + " (SQLState " + e.getSQLState() + ")", e);
  }
}
