package dev.sluice;

import java.util.Collection;

/** A pipeline was asked for by a name that is not defined. */
public class UnknownPipelineException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception; the message lists the defined pipelines.
   *
   * @param name the name asked for
   * @param known the defined pipeline names
   */
  public UnknownPipelineException(String name, Collection<String> known) {
    super("no pipeline named '" + name + "'; defined: "
        + (known.isEmpty() ? "(none)" : String.join(", ", known)));
  }
}
