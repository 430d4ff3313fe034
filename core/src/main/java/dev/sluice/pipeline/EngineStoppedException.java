package dev.sluice.pipeline;

import dev.sluice.SluiceException;

/** A run was asked for after shutdown began; it was not started. */
public class EngineStoppedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param pipeline the name of the pipeline whose run was refused
   */
  public EngineStoppedException(String pipeline) {
    super("pipeline '" + pipeline + "': not started, Sluice is shutting down");
  }
}
