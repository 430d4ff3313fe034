package dev.sluice.store;

import dev.sluice.SluiceException;

/**
 * A write to a {@link SecretStore} was made for a key that is no longer the one in force, or a
 * re-encryption did not cover exactly the secrets stored (another process changed them meanwhile).
 * Nothing was written. Read the key record again and retry.
 */
public class StaleSecretKeyException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was stale; never secret material
   */
  public StaleSecretKeyException(String message) {
    super(message);
  }
}
