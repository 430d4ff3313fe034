package dev.sluice.auth;

import dev.sluice.SluiceException;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.store.SecretKeyRecord;
import dev.sluice.store.SecretStore;
import dev.sluice.store.StaleSecretKeyException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Named secrets in plaintext on top of a {@link SecretStore} that only ever sees ciphertext (see
 * {@link SecretBox} for the format).
 *
 * <p>{@link #open} derives the key once (about half a second, on purpose); every later operation
 * uses it. The first open of a store without a key record creates one, and re-encrypts secrets
 * written before key records existed (format version 1) in the same atomic step: after that, every
 * secret is in the current format under the key in force. {@link #rotateKey} moves all secrets to a
 * new passphrase, also atomically.
 *
 * <p>Plugins reach them through {@link PluginSecrets} ({@code PluginContext.secrets()}).
 *
 * <p>Thread-safe.
 */
public final class Secrets implements PluginSecrets {
  private static final int ATTEMPTS = 3;

  private final SecretStore store;
  private volatile SecretBox box;

  private Secrets(SecretStore store, SecretBox box) {
    this.store = store;
    this.box = box;
  }

  /**
   * Opens the secrets of {@code store} with the master {@code passphrase}, which is cleared
   * (overwritten) before this returns or throws.
   *
   * @param store where the secrets live, never null
   * @param passphrase the master passphrase, at least 8 characters
   * @return the opened secrets
   * @throws WrongMasterKeyException when the passphrase is not the one the secrets are under
   * @throws IllegalArgumentException when the passphrase is shorter than 8 characters
   */
  public static Secrets open(SecretStore store, char[] passphrase) {
    Objects.requireNonNull(store, "store");
    try {
      for (int attempt = 1; ; attempt++) {
        Optional<SecretKeyRecord> record = store.keyRecord();
        if (record.isPresent()) {
          return new Secrets(store, SecretBox.open(record.get(), passphrase));
        }
        try {
          return new Secrets(store, initialize(store, passphrase));
        } catch (StaleSecretKeyException e) {
          if (attempt == ATTEMPTS) {
            throw e;
          }
          // Another process created the key record (or stored a secret) meanwhile: use its record.
        }
      }
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  /** A first key record; secrets of format version 1 are re-encrypted under it in the same step. */
  private static SecretBox initialize(SecretStore store, char[] passphrase) {
    SecretBox next = SecretBox.create(passphrase);
    Map<String, byte[]> upgraded = new LinkedHashMap<>();
    SecretBox legacy = null;
    for (String name : store.names()) {
      Optional<byte[]> ciphertext = store.get(name);
      if (ciphertext.isEmpty()) {
        continue; // deleted meanwhile
      }
      if (SecretBox.version(ciphertext.get()) != 1) {
        throw new SluiceException("secret '" + name + "' is in format version " + SecretBox.version(ciphertext.get())
            + " but the store has no key record; the store was changed outside Sluice");
      }
      if (legacy == null) {
        legacy = SecretBox.legacy(passphrase);
      }
      String plaintext;
      try {
        plaintext = legacy.decrypt(name, ciphertext.get());
      } catch (SluiceException e) {
        throw new WrongMasterKeyException("the master key (secrets.key) does not decrypt secret '" + name
            + "', stored by an earlier Sluice version: use the passphrase the secrets were stored with;"
            + " nothing was changed");
      }
      upgraded.put(name, next.encrypt(name, plaintext));
    }
    store.replaceKey(null, next.record(), upgraded);
    return next;
  }

  /**
   * The id of the key in force.
   *
   * @return the key id, as in {@link SecretKeyRecord#id()}
   */
  public String keyId() {
    return box.record().id();
  }

  /**
   * Stores a secret under the key in force.
   *
   * @throws StaleSecretKeyException when another process rotated the key since this was opened
   */
  @Override
  public void put(String name, String plaintext) {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,128}")) {
      throw new IllegalArgumentException("a secret name is 1-128 letters, digits, '_', '.' or '-', got '" + name + "'");
    }
    SecretBox current = box;
    store.put(current.record().id(), name, current.encrypt(name, Objects.requireNonNull(plaintext, "value")));
  }

  /**
   * The plaintext of a secret.
   *
   * @throws SluiceException naming the secret when it can't be decrypted with the key in force
   */
  @Override
  public Optional<String> get(String name) {
    return store.get(name).map(c -> {
      if (SecretBox.version(c) == 1) {
        throw new SluiceException("secret '" + name + "' is in the format of an earlier Sluice version, written after"
            + " this store moved to the current one (by an older Sluice still using it?); set it again");
      }
      return box.decrypt(name, c);
    });
  }

  /**
   * Encrypts a value that is kept outside the secret store (e.g. a token signing key) under the key
   * in force; {@code name} is bound to the ciphertext, so it decrypts only under the same name.
   */
  byte[] seal(String name, String plaintext) {
    return box.encrypt(name, plaintext);
  }

  /**
   * Decrypts what {@link #seal} encrypted.
   *
   * @throws SluiceException when it was sealed under another key (rotated since) or name
   */
  String unseal(String name, byte[] ciphertext) {
    return box.decrypt(name, ciphertext);
  }

  /**
   * The names of the stored secrets, sorted. Never the values.
   *
   * @return the names
   */
  public List<String> names() {
    return store.names();
  }

  /**
   * Deletes a secret.
   *
   * @param name the secret's name
   * @return whether it existed
   */
  public boolean delete(String name) {
    return store.delete(name);
  }

  /**
   * Re-encrypts every secret under a new key derived from {@code newPassphrase} (fresh salt), all
   * or nothing: the store switches key and ciphertexts in one atomic step. {@code newPassphrase} is
   * cleared before this returns or throws. Afterwards this instance uses the new key; other
   * processes must be restarted with the new passphrase.
   *
   * @param newPassphrase the new master passphrase, at least 8 characters
   * @return how many secrets were re-encrypted
   * @throws StaleSecretKeyException when another process rotated the key meanwhile; nothing was
   *     changed
   */
  public synchronized int rotateKey(char[] newPassphrase) {
    try {
      SecretBox current = box;
      SecretBox next = SecretBox.create(newPassphrase);
      for (int attempt = 1; ; attempt++) {
        String inForce = store.keyRecord().map(SecretKeyRecord::id).orElse(null);
        if (!current.record().id().equals(inForce)) {
          throw new StaleSecretKeyException("the secret key was rotated by another process (key '" + inForce
              + "' is in force, this process holds '" + current.record().id() + "'); nothing was changed");
        }
        Map<String, byte[]> reencrypted = new LinkedHashMap<>();
        for (String name : store.names()) {
          Optional<String> plaintext = get(name);
          plaintext.ifPresent(p -> reencrypted.put(name, next.encrypt(name, p)));
        }
        try {
          store.replaceKey(current.record().id(), next.record(), reencrypted);
          box = next;
          return reencrypted.size();
        } catch (StaleSecretKeyException e) {
          boolean keyChanged = !store.keyRecord().map(SecretKeyRecord::id).equals(Optional.of(current.record().id()));
          if (keyChanged || attempt == ATTEMPTS) {
            throw e; // rotated elsewhere: this process's passphrase is no longer the one in force
          }
          // A secret was stored meanwhile: read them all again.
        }
      }
    } finally {
      Arrays.fill(newPassphrase, '\0');
    }
  }
}
