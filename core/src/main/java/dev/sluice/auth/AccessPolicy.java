package dev.sluice.auth;

/**
 * The one place that decides whether a principal may do something. The REST server, the CLI's
 * admin commands and hosts embedding Sluice all ask it; none decides on its own.
 *
 * <p>Thread-safety: implementations are safe for concurrent use.
 */
public interface AccessPolicy {

  /**
   * Decides whether {@code principal} may do {@code permission}, on {@code pipeline} if given.
   *
   * @param principal who asks, never null
   * @param permission what they want to do, never null
   * @param pipeline the pipeline the action concerns, or null when it concerns none (or all)
   * @return the decision with its explanation, never null
   */
  AccessDecision decide(Principal principal, Permission permission, String pipeline);

  /**
   * {@link #decide(Principal, Permission, String)} without a pipeline: for actions that concern
   * none (or all).
   *
   * @param principal who asks, never null
   * @param permission what they want to do, never null
   * @return the decision, never null
   */
  default AccessDecision decide(Principal principal, Permission permission) {
    return decide(principal, permission, null);
  }
}
