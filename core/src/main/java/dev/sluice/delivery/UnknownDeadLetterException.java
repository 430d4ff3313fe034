package dev.sluice.delivery;

import dev.sluice.SluiceException;

/** No dead letter has the id asked for (it was replayed or purged, or never existed). */
public class UnknownDeadLetterException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param id the id asked for
   */
  public UnknownDeadLetterException(long id) {
    super("no dead letter with id " + id + " (replayed or purged already? list them to see the ids)");
  }
}
