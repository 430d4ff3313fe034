package dev.sluice.auth;

import dev.sluice.SluiceException;

/**
 * A new password breaks the {@link PasswordPolicy}: too short, too long, or a common or breached
 * password. The message says which rule and never contains the password.
 */
public class PasswordPolicyException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the rule broken; never the password
   */
  public PasswordPolicyException(String message) {
    super(message);
  }
}
