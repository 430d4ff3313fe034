package dev.sluice.pipeline;

import dev.sluice.SluiceException;

/** A run was asked for after shutdown began; it was not started. */
public class EngineStoppedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  public EngineStoppedException(String pipeline) {
    super("pipeline '" + pipeline + "': not started, Sluice is shutting down");
  }
}
