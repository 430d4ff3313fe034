package dev.sluice.destinations.database;

import java.sql.SQLException;

/**
 * Sorts SQL errors into what a retry may fix and what it can't. Decided by SQLState class, which
 * PostgreSQL, H2, MySQL and MariaDB fill alike for these cases.
 */
final class SqlFailures {
  enum Kind {
    /** The connection or the server had a problem (class 08, 40, 53, 57, 58, timeouts, unknown). */
    RETRYABLE,
    /** The row's data was refused: data exception (22), integrity constraint violation (23, 44). */
    RECORD,
    /** The statement can't work for any row: missing table or column, no privilege (42, 0A). */
    STATEMENT
  }

  private SqlFailures() {}

  static Kind classify(SQLException e) {
    String state = state(e);
    if (state == null || state.length() < 2) {
      return Kind.RETRYABLE;
    }
    switch (state.substring(0, 2)) {
      case "22":
      case "23":
      case "44":
        return Kind.RECORD;
      case "42":
      case "0A":
        return Kind.STATEMENT;
      default:
        return Kind.RETRYABLE;
    }
  }

  /**
   * The most specific SQLState: drivers put the server's error in the next exception of a batch
   * failure, and pools wrap the driver's exception as the cause; the innermost one wins.
   */
  static String state(SQLException e) {
    String found = null;
    int guard = 0;
    for (Throwable t = e; t != null && guard++ < 20; t = t.getCause()) {
      if (t instanceof SQLException) {
        for (SQLException n = (SQLException) t; n != null && guard++ < 40; n = n.getNextException()) {
          if (n.getSQLState() != null) {
            found = n.getSQLState();
          }
        }
      }
    }
    return found;
  }

  /** The driver's message, with the SQLState, for reasons and logs. */
  static String describe(SQLException e) {
    SQLException shown = e;
    if (e.getNextException() != null) {
      shown = e.getNextException();
    }
    String message = shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
    return message.strip() + " (SQLState " + state(e) + ")";
  }
}
