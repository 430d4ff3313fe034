package dev.sluice.jdbc;

import dev.sluice.SluiceException;

/**
 * The JDBC store could not read or write its database, or the database is not one it supports.
 * The message says which operation failed on which pipeline, run or name; the cause is the
 * driver's {@link java.sql.SQLException}. Messages never contain passwords.
 */
public class JdbcStoreException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the operation that failed and on what; never a password
   * @param cause the driver's exception
   */
  public JdbcStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
