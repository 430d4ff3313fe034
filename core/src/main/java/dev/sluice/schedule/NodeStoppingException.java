package dev.sluice.schedule;

import dev.sluice.SluiceException;

/**
 * A run was stopped because this node is closing, not because it failed: another node of the
 * cluster should take it over from its last checkpoint.
 */
public class NodeStoppingException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the run stopped, naming the node
   */
  public NodeStoppingException(String message) {
    super(message);
  }
}
