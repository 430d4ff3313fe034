package dev.sluice.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Named secrets (API tokens, passwords) as ciphertext, plus the {@link SecretKeyRecord} that says
 * how the key they are encrypted under is derived. Encryption and decryption happen above the store
 * ({@code dev.sluice.auth.Secrets}), with a master passphrase the store never sees; this interface
 * only keeps bytes and text.
 *
 * <p>The key record changes only through {@link #replaceKey}, which re-encrypts every secret in the
 * same atomic step, and every {@link #put} names the key it encrypted under and is refused when that
 * key is no longer in force. So at any moment, also after a crash, every secret is under the key
 * record in force (each ciphertext names its key id, so a store that fails this is caught on read).
 *
 * <p>Thread-safety: safe for concurrent use, also by several processes on one underlying store.
 */
public interface SecretStore {

  /**
   * The key record in force.
   *
   * @return the record; empty when none was written yet (a new store, or one whose secrets were
   *     written before key records existed)
   */
  Optional<SecretKeyRecord> keyRecord();

  /**
   * Inserts or replaces a secret's ciphertext, atomically with checking that {@code keyId} is the
   * id of the key record in force.
   *
   * @param keyId the key the ciphertext was encrypted under
   * @param name the secret's name
   * @param ciphertext the encrypted value; the store keeps a copy
   * @throws StaleSecretKeyException when {@code keyId} is not the key in force (or there is none);
   *     nothing was written
   */
  void put(String keyId, String name, byte[] ciphertext);

  /**
   * The ciphertext of a secret.
   *
   * @param name the secret's name
   * @return a fresh copy of the ciphertext, or empty when there is no such secret
   */
  Optional<byte[]> get(String name);

  /**
   * The names, sorted. Never the values.
   *
   * @return the names, never null
   */
  List<String> names();

  /**
   * Deletes a secret.
   *
   * @param name the secret's name
   * @return whether it existed
   */
  boolean delete(String name);

  /**
   * Puts {@code next} in force and replaces the ciphertext of every stored secret, as one atomic
   * step: after it returns all of it is visible, after it throws or a crash none of it.
   *
   * @param expectedKeyId the id of the key record in force that the caller read the secrets
   *     under; null when there is none yet
   * @param next the key record to put in force, never null
   * @param ciphertexts the new ciphertext of every stored secret by name, encrypted under {@code
   *     next}; a name stored meanwhile but missing here makes it fail, a name deleted meanwhile
   *     stays deleted
   * @throws StaleSecretKeyException when the key record in force is not {@code expectedKeyId}, or a
   *     stored secret is missing from {@code ciphertexts}; nothing was changed
   */
  void replaceKey(String expectedKeyId, SecretKeyRecord next, Map<String, byte[]> ciphertexts);
}
