package dev.sluice.store;

import java.util.List;
import java.util.Optional;

/**
 * Named secrets (API tokens, passwords) as ciphertext. Encryption and decryption happen above the
 * store, with a master key the store never sees; this interface only keeps bytes.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public interface SecretStore {

  /** Inserts or replaces a secret's ciphertext. */
  void put(String name, byte[] ciphertext);

  /** The ciphertext, a fresh copy. */
  Optional<byte[]> get(String name);

  /** The names, sorted. Never the values. */
  List<String> names();

  /** @return whether it existed */
  boolean delete(String name);
}
