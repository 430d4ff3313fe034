package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.auth.SecretBox;
import dev.sluice.auth.Secrets;
import dev.sluice.auth.WrongMasterKeyException;
import dev.sluice.store.SecretKeyRecord;
import dev.sluice.store.SecretStore;
import dev.sluice.store.StaleSecretKeyException;
import dev.sluice.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a {@link Store} that offers {@link Store#secrets()} must do: keep ciphertext bytes, keep the
 * key record, refuse writes under a key that is no longer in force, and switch key and ciphertexts
 * all or nothing; and, on top of it, {@link Secrets} must encrypt, detect a wrong passphrase and
 * rotate the key. Implement it on the store's {@link StoreContract} subclass.
 *
 * <p>Key derivation is real (600,000 PBKDF2 iterations, about half a second each), so these tests
 * derive as few keys as they can.
 */
public interface SecretStoreContract {
  /**
   * The store under test ({@link StoreContract#store()}).
   *
   * @return the store, open
   */
  Store store();

  /**
   * A second store instance on the same data ({@link StoreContract#secondInstance()}).
   *
   * @return an open store on the same data, or {@link #store()} itself for an in-memory store
   * @throws Exception when it can't be opened; the test fails
   */
  Store secondInstance() throws Exception;

  private SecretStore secrets() {
    return store().secrets().orElseThrow(() -> new AssertionError(store() + " offers no secrets()"));
  }

  private static SecretKeyRecord key(String id) {
    return new SecretKeyRecord(id, "$test$" + id);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // --- the store ---------------------------------------------------------------------------

  /**
   * Secrets are stored as a copy of their bytes, only under the key in force (else
   * {@link StaleSecretKeyException}), listed by name and deleted.
   */
  @Test
  default void secretsKeepCiphertextBytesUnderTheKeyInForce() {
    SecretStore s = secrets();
    assertThat(s.keyRecord()).as("a new store has no key").isEmpty();
    assertThatThrownBy(() -> s.put("k1", "slack_url", bytes("x")))
        .as("no key in force yet").isInstanceOf(StaleSecretKeyException.class);
    assertThat(s.names()).isEmpty();

    s.replaceKey(null, key("k1"), Map.of());
    assertThat(s.keyRecord()).contains(key("k1"));
    byte[] cipher = {0, 1, 2, (byte) 0xFF, 42};
    s.put("k1", "slack_url", cipher);
    s.put("k1", "hubspot_token", bytes("x"));
    cipher[0] = 99; // the store took a copy

    assertThat(s.get("slack_url")).hasValueSatisfying(v -> assertThat(v).containsExactly(0, 1, 2, (byte) 0xFF, 42));
    assertThat(s.names()).containsExactly("hubspot_token", "slack_url");
    assertThatThrownBy(() -> s.put("k0", "hubspot_token", bytes("y")))
        .isInstanceOf(StaleSecretKeyException.class).hasMessageContaining("'k1'");
    assertThat(s.get("hubspot_token")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("x")));
    assertThat(s.delete("slack_url")).isTrue();
    assertThat(s.get("slack_url")).isEmpty();
    assertThat(s.delete("slack_url")).isFalse();
  }

  /**
   * Replacing the key checks the key in force and that every secret is re-encrypted, and changes
   * nothing when it refuses; another instance sees the new key and values.
   *
   * @throws Exception when the second instance can't be opened
   */
  @Test
  default void replacingTheKeyIsCompareAndSetAndAllOrNothing() throws Exception {
    SecretStore s = secrets();
    s.replaceKey(null, key("k1"), Map.of());
    assertThatThrownBy(() -> s.replaceKey(null, key("k9"), Map.of()))
        .as("a second first key").isInstanceOf(StaleSecretKeyException.class);
    s.put("k1", "a", bytes("a1"));
    s.put("k1", "b", bytes("b1"));

    assertThatThrownBy(() -> s.replaceKey("k0", key("k2"), Map.of("a", bytes("a2"), "b", bytes("b2"))))
        .as("not the key in force").isInstanceOf(StaleSecretKeyException.class);
    assertThatThrownBy(() -> s.replaceKey("k1", key("k2"), Map.of("a", bytes("a2"))))
        .as("b is not re-encrypted").isInstanceOf(StaleSecretKeyException.class).hasMessageContaining("b");
    assertThat(s.keyRecord()).as("nothing changed").contains(key("k1"));
    assertThat(s.get("a")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("a1")));

    s.replaceKey("k1", key("k2"), Map.of("a", bytes("a2"), "b", bytes("b2"), "gone", bytes("g2")));
    Store second = secondInstance();
    try {
      SecretStore other = second.secrets().orElseThrow();
      assertThat(other.keyRecord()).contains(key("k2"));
      assertThat(other.get("a")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("a2")));
      assertThat(other.get("b")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("b2")));
      assertThat(other.names()).as("a secret deleted meanwhile is not brought back").containsExactly("a", "b");
      assertThatThrownBy(() -> other.put("k1", "c", bytes("c1"))).isInstanceOf(StaleSecretKeyException.class);
    } finally {
      if (second != store()) {
        second.close();
      }
    }
  }

  // --- Secrets on the store ----------------------------------------------------------------

  /**
   * {@code Secrets} stores ciphertext only; a wrong passphrase fails with
   * {@code WrongMasterKeyException}, whose message shows no secret, and the passphrase is cleared.
   */
  @Test
  default void secretsAreEncryptedAndAWrongPassphraseIsAClearError() {
    Secrets opened = Secrets.open(secrets(), "correct horse battery staple".toCharArray());
    opened.put("hubspot_token", "pat-na1-s3cr3t");
    assertThat(secrets().keyRecord()).hasValueSatisfying(k -> {
      assertThat(k.id()).isEqualTo(opened.keyId());
      assertThat(k.parameters()).startsWith("$pbkdf2-sha256$i=600000$");
    });
    byte[] stored = secrets().get("hubspot_token").orElseThrow();
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    assertThat(SecretBox.keyId(stored)).isEqualTo(opened.keyId());

    char[] wrong = "Tr0ub4dor&3-wrong".toCharArray();
    assertThatThrownBy(() -> Secrets.open(secrets(), wrong))
        .isInstanceOf(WrongMasterKeyException.class)
        .hasMessageContaining("is not the one the secrets of this store are encrypted under")
        .hasMessageContaining(opened.keyId())
        .hasMessageNotContaining("Tr0ub4dor").hasMessageNotContaining("correct horse")
        .hasMessageNotContaining("s3cr3t")
        .hasNoCause();
    assertThat(wrong).as("the passphrase was cleared").containsOnly('\0');
    assertThat(opened.get("hubspot_token")).contains("pat-na1-s3cr3t");
  }

  /**
   * Rotating the passphrase re-encrypts every secret under a new key, readable by another instance
   * with the new passphrase and not with the old one.
   *
   * @throws Exception when the second instance can't be opened
   */
  @Test
  default void rotatingTheKeyReencryptsEverySecretUnderTheNewPassphrase() throws Exception {
    Secrets before = Secrets.open(secrets(), "correct horse battery staple".toCharArray());
    before.put("a", "value-a");
    before.put("b", "value-b");
    before.put("c", "");
    String oldKey = before.keyId();
    byte[] oldA = secrets().get("a").orElseThrow();

    char[] next = "a whole new passphrase".toCharArray();
    assertThat(before.rotateKey(next)).isEqualTo(3);
    assertThat(next).as("cleared").containsOnly('\0');

    assertThat(before.keyId()).isNotEqualTo(oldKey);
    for (String name : secrets().names()) {
      assertThat(SecretBox.keyId(secrets().get(name).orElseThrow())).as(name).isEqualTo(before.keyId());
    }
    assertThat(secrets().get("a").orElseThrow()).isNotEqualTo(oldA);
    assertThat(before.get("a")).as("this instance uses the new key").contains("value-a");

    Store second = secondInstance();
    try {
      SecretStore other = second.secrets().orElseThrow();
      Secrets after = Secrets.open(other, "a whole new passphrase".toCharArray());
      assertThat(after.get("a")).contains("value-a");
      assertThat(after.get("b")).contains("value-b");
      assertThat(after.get("c")).contains("");
      assertThatThrownBy(() -> Secrets.open(other, "correct horse battery staple".toCharArray()))
          .isInstanceOf(WrongMasterKeyException.class);
    } finally {
      if (second != store()) {
        second.close();
      }
    }
  }

  /**
   * After another instance rotated the key, this one's rotation and writes fail as stale instead of
   * mixing keys.
   */
  @Test
  default void aRotationByAnotherProcessMakesThisOneStaleInsteadOfMixingKeys() {
    Secrets one = Secrets.open(secrets(), "correct horse battery staple".toCharArray());
    one.put("a", "value-a");
    Secrets two = Secrets.open(secrets(), "correct horse battery staple".toCharArray());
    one.rotateKey("first new passphrase".toCharArray());

    assertThatThrownBy(() -> two.rotateKey("second new passphrase".toCharArray()))
        .isInstanceOf(StaleSecretKeyException.class);
    assertThatThrownBy(() -> two.put("b", "value-b")).isInstanceOf(StaleSecretKeyException.class);
    assertThat(secrets().names()).containsExactly("a");
    assertThat(secrets().keyRecord().map(SecretKeyRecord::id)).contains(one.keyId());
    assertThat(one.get("a")).contains("value-a");
  }
}
