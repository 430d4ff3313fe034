package dev.sluice.auth;

import dev.sluice.SluiceException;

/**
 * The master passphrase given (e.g. {@code secrets.key}) is not the one the store's secrets are
 * encrypted under. The message names the key id, never the passphrase or any secret.
 */
public class WrongMasterKeyException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the key id; never the passphrase or a secret
   */
  public WrongMasterKeyException(String message) {
    super(message);
  }
}
