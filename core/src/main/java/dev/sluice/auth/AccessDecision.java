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
  public AccessDecision {
    Objects.requireNonNull(explanation, "explanation");
  }

  public static AccessDecision allow(String explanation) {
    return new AccessDecision(true, explanation);
  }

  public static AccessDecision deny(String explanation) {
    return new AccessDecision(false, explanation);
  }
}
