package dev.sluice.store;

import dev.sluice.SluiceException;

/** A configuration was changed by someone else since the caller read it. Re-read and retry. */
public class StaleVersionException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with a message naming the configuration and both versions.
   *
   * @param kind what the configuration defines
   * @param name its name
   * @param expected the version the caller read
   * @param actual the version stored
   */
  public StaleVersionException(ConfigDocument.Kind kind, String name, long expected, long actual) {
    super(
        kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "' is at version " + actual
            + ", not " + expected + " as expected: it was changed concurrently; read it again");
  }
}
