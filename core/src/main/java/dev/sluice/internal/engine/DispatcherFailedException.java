package dev.sluice.internal.engine;

import dev.sluice.SluiceException;

/**
 * Delivery to a destination stopped for a reason retries can't fix (the dead-letter store itself
 * failed, the worker was interrupted). The run fails; no checkpoint passes the unsettled records,
 * so they are read again on the next run.
 */
public class DispatcherFailedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param pipeline the pipeline's name
   * @param destination the destination's name
   * @param cause why delivery stopped
   */
  public DispatcherFailedException(String pipeline, String destination, Throwable cause) {
    super(
        "pipeline '" + pipeline + "': delivery to destination '" + destination + "' stopped: "
            + cause,
        cause);
  }
}
