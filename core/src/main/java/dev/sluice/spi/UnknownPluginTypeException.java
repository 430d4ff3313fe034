package dev.sluice.spi;

import dev.sluice.SluiceException;
import java.util.Collection;

/** A configuration names a plugin type no provider offers. */
public class UnknownPluginTypeException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public UnknownPluginTypeException(
      String owner, PluginKind kind, String type, Collection<String> known) {
    super(
        owner + ": no " + kind.label() + " of type '" + type + "'. Known " + kind.label()
            + " types: " + (known.isEmpty() ? "(none)" : String.join(", ", known))
            + ". A plugin jar missing from the class path or the plugins directory?");
  }
}
