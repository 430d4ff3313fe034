package dev.sluice.auth;

import dev.sluice.store.SecretStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Named secrets in plaintext on top of a {@link SecretStore} that only ever sees ciphertext.
 *
 * <p>Thread-safe.
 */
public final class Secrets {
  private final SecretStore store;
  private final SecretBox box;

  public Secrets(SecretStore store, SecretBox box) {
    this.store = Objects.requireNonNull(store);
    this.box = Objects.requireNonNull(box);
  }

  public void put(String name, String plaintext) {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,128}")) {
      throw new IllegalArgumentException("a secret name is 1-128 letters, digits, '_', '.' or '-', got '" + name + "'");
    }
    store.put(name, box.encrypt(name, Objects.requireNonNull(plaintext, "value")));
  }

  public Optional<String> get(String name) {
    return store.get(name).map(c -> box.decrypt(name, c));
  }

  public List<String> names() {
    return store.names();
  }

  public boolean delete(String name) {
    return store.delete(name);
  }
}
