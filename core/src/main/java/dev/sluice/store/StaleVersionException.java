package dev.sluice.store;

import dev.sluice.SluiceException;

/** A configuration was changed by someone else since the caller read it. Re-read and retry. */
public class StaleVersionException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public StaleVersionException(ConfigDocument.Kind kind, String name, long expected, long actual) {
    super(
        kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + name + "' is at version " + actual
            + ", not " + expected + " as expected: it was changed concurrently; read it again");
  }
}
