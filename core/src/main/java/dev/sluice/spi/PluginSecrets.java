package dev.sluice.spi;

import dev.sluice.SluiceException;
import java.util.Optional;

/**
 * Named secrets of the host's secret store, as plaintext, for plugins that must read a secret at
 * run time or write one back: an OAuth refresh token the provider rotated, a token another process
 * renewed. Configuration values written as {@code ${secret:name}} are resolved once when the
 * configuration loads and do not need this.
 *
 * <p>Values are encrypted at rest by the host (see {@code dev.sluice.auth.Secrets}); plugins never
 * see the master key. A plugin must treat every value as a secret: never log it, never put it in an
 * exception message.
 *
 * <p>Thread-safety: implementations are safe for concurrent use, also by several processes on one
 * store (the last {@link #put} wins). Nullability: no argument may be null, nothing returns null.
 */
public interface PluginSecrets {

  /** What a plugin gets when the host has no secret store or no master key configured. */
  PluginSecrets UNAVAILABLE = new PluginSecrets() {
    @Override
    public Optional<String> get(String name) {
      throw unavailable(name);
    }

    @Override
    public void put(String name, String value) {
      throw unavailable(name);
    }

    private SluiceException unavailable(String name) {
      return new SluiceException("secret '" + name + "' is needed but no secrets are configured: set"
          + " secrets: { key: ${env:SLUICE_MASTER_KEY} } and use a store that keeps secrets");
    }
  };

  /**
   * The plaintext of the secret {@code name}, read from the store now (not cached), or empty when
   * no secret has that name.
   *
   * @param name the secret's name
   * @return the plaintext, or empty
   * @throws SluiceException when secrets are not configured or the value can't be decrypted
   */
  Optional<String> get(String name);

  /**
   * Stores {@code value} under {@code name}, replacing any previous value, durably: once this
   * returns, a new process reading the store sees it.
   *
   * @param name the secret's name
   * @param value the plaintext, stored encrypted
   * @throws IllegalArgumentException when {@code name} is not 1-128 letters, digits, '_', '.' or
   *     '-'
   * @throws SluiceException when secrets are not configured or the store refuses the write
   */
  void put(String name, String value);
}
