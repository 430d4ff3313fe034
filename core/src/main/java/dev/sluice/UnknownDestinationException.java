package dev.sluice;

import java.util.Collection;

/** A destination was asked for by a name that is not defined. */
public class UnknownDestinationException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception; the message lists the defined destinations.
   *
   * @param name the name asked for
   * @param known the defined destination names
   */
  public UnknownDestinationException(String name, Collection<String> known) {
    super("no destination named '" + name + "'; defined: "
        + (known.isEmpty() ? "(none)" : String.join(", ", known)));
  }
}
