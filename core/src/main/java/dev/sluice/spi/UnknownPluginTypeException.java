package dev.sluice.spi;

import dev.sluice.SluiceException;
import java.util.Collection;

/** A configuration names a plugin type no provider offers. */
public class UnknownPluginTypeException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception; the message lists the known types.
   *
   * @param owner what asked, e.g. {@code destination 'alerts'}
   * @param kind the kind of plugin
   * @param type the unknown type
   * @param known the types providers offer for {@code kind}
   */
  public UnknownPluginTypeException(
      String owner, PluginKind kind, String type, Collection<String> known) {
    super(
        owner + ": no " + kind.label() + " of type '" + type + "'. Known " + kind.label()
            + " types: " + (known.isEmpty() ? "(none)" : String.join(", ", known))
            + ". A plugin jar missing from the class path or the plugins directory?");
  }
}
