package dev.sluice.auth;

/**
 * The one place that decides whether a principal may do something. The REST server, the CLI's
 * admin commands and hosts embedding Sluice all ask it; none decides on its own.
 *
 * <p>Thread-safety: implementations are safe for concurrent use.
 */
public interface AccessPolicy {

  /**
   * @param principal who asks, never null
   * @param permission what they want to do, never null
   * @param pipeline the pipeline the action concerns, or null when it concerns none (or all)
   * @return never null
   */
  AccessDecision decide(Principal principal, Permission permission, String pipeline);

  /** {@link #decide} without a pipeline. */
  default AccessDecision decide(Principal principal, Permission permission) {
    return decide(principal, permission, null);
  }
}
