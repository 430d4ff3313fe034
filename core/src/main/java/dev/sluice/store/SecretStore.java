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
   * The key record in force; empty when none was written yet (a new store, or one whose secrets
   * were written before key records existed).
   */
  Optional<SecretKeyRecord> keyRecord();

  /**
   * Inserts or replaces a secret's ciphertext, atomically with checking that {@code keyId} is the
   * id of the key record in force.
   *
   * @param keyId the key the ciphertext was encrypted under
   * @throws StaleSecretKeyException when {@code keyId} is not the key in force (or there is none);
   *     nothing was written
   */
  void put(String keyId, String name, byte[] ciphertext);

  /** The ciphertext, a fresh copy. */
  Optional<byte[]> get(String name);

  /** The names, sorted. Never the values. */
  List<String> names();

  /** @return whether it existed */
  boolean delete(String name);

  /**
   * Puts {@code next} in force and replaces the ciphertext of every stored secret, as one atomic
   * step: after it returns all of it is visible, after it throws or a crash none of it.
   *
   * @param expectedKeyId the id of the key record in force that the caller read the secrets
   *     under; null when there is none yet
   * @param ciphertexts the new ciphertext of every stored secret by name, encrypted under {@code
   *     next}; a name stored meanwhile but missing here makes it fail, a name deleted meanwhile
   *     stays deleted
   * @throws StaleSecretKeyException when the key record in force is not {@code expectedKeyId}, or a
   *     stored secret is missing from {@code ciphertexts}; nothing was changed
   */
  void replaceKey(String expectedKeyId, SecretKeyRecord next, Map<String, byte[]> ciphertexts);
}
