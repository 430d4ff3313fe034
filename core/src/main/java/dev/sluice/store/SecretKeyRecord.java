package dev.sluice.store;

import java.util.Objects;

/**
 * How the master key of a {@link SecretStore}'s secrets is derived and recognised: the store keeps
 * one such record in force, next to the secrets, and hands it back verbatim. It holds no secret
 * material a passphrase could be read from beyond what any ciphertext offers (a salt, an iteration
 * count and a key-check value); the layout of {@link #parameters()} belongs to {@code
 * dev.sluice.auth.SecretBox}.
 *
 * <p>Immutable.
 *
 * @param id identifies the key; every ciphertext names the key id it was encrypted under, so a
 *     secret under another key is recognised as such. 1-64 characters, letters and digits.
 * @param parameters the derivation (algorithm, iterations, salt, key check) as text, at most 1,000
 *     characters; opaque to stores
 */
public record SecretKeyRecord(String id, String parameters) {
  /**
   * Checks the components.
   *
   * @param id 1-64 letters and digits
   * @param parameters 1-1,000 characters
   * @throws NullPointerException when a component is null
   * @throws IllegalArgumentException when one is out of range
   */
  public SecretKeyRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(parameters, "parameters");
    if (!id.matches("[A-Za-z0-9]{1,64}")) {
      throw new IllegalArgumentException("a secret key id is 1-64 letters or digits, got '" + id + "'");
    }
    if (parameters.isEmpty() || parameters.length() > 1000) {
      throw new IllegalArgumentException("secret key parameters must be 1-1000 characters, got " + parameters.length());
    }
  }
}
