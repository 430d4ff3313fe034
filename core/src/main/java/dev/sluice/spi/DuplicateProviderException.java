package dev.sluice.spi;

import dev.sluice.SluiceException;

/** Two providers claim the same type for the same kind; the message names both jars. */
public class DuplicateProviderException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param first the provider found first
   * @param second the provider claiming the same kind and type
   */
  public DuplicateProviderException(PluginInfo first, PluginInfo second) {
    super(
        "two " + first.kind().label() + " providers claim type '" + first.type() + "': "
            + first.provider().getClass().getName() + " from " + first.location() + " and "
            + second.provider().getClass().getName() + " from " + second.location()
            + ". Remove one of the jars from the class path (or the plugins directory).");
  }
}
