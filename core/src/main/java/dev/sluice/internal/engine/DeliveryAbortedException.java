package dev.sluice.internal.engine;

import dev.sluice.SluiceException;

/**
 * Delivery to a destination was stopped (the shutdown deadline passed) while the router still had
 * records for it. The run ends; records not delivered are not checkpointed, so the next run reads
 * them again.
 */
public class DeliveryAbortedException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param pipeline the pipeline's name
   * @param destination the destination's name
   */
  public DeliveryAbortedException(String pipeline, String destination) {
    super("pipeline '" + pipeline + "': delivery to destination '" + destination
        + "' was stopped by shutdown; undelivered records will be read again by the next run");
  }
}
