package dev.sluice.auth;

import java.util.Objects;

/**
 * The answer of an {@link AccessPolicy}: allowed or denied, with an explanation a person can act
 * on (e.g. {@code denied: role viewer lacks runs:trigger on pipeline orders}). The explanation
 * never contains credentials.
 *
 * @param allowed whether the action may proceed
 * @param explanation why, never null
 */
public record AccessDecision(boolean allowed, String explanation) {
  /**
   * Checks the explanation.
   *
   * @param allowed whether the action may proceed
   * @param explanation why, never null
   * @throws NullPointerException when {@code explanation} is null
   */
  public AccessDecision {
    Objects.requireNonNull(explanation, "explanation");
  }

  /**
   * An allowing decision.
   *
   * @param explanation why, never null
   * @return the decision
   */
  public static AccessDecision allow(String explanation) {
    return new AccessDecision(true, explanation);
  }

  /**
   * A denying decision.
   *
   * @param explanation why, for the caller; never credentials
   * @return the decision
   */
  public static AccessDecision deny(String explanation) {
    return new AccessDecision(false, explanation);
  }
}
