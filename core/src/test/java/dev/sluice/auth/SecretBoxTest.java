package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import dev.sluice.store.SecretKeyRecord;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ciphertext and key record formats. Each key derivation is real: about half a second. */
class SecretBoxTest {
  private static final String PASSPHRASE = "correct horse battery staple";
  private static SecretBox box;

  @BeforeAll
  static void deriveOnce() {
    box = SecretBox.create(PASSPHRASE.toCharArray());
  }

  @Test
  void aNewKeyHasARandomSaltOwaspIterationsAndAKeyCheck() {
    SecretKeyRecord record = box.record();
    assertThat(record.id()).matches("[0-9a-f]{16}");
    String[] parts = record.parameters().split("\\$");
    assertThat(parts).hasSize(5);
    assertThat(parts[1]).isEqualTo("pbkdf2-sha256");
    assertThat(parts[2]).isEqualTo("i=" + SecretBox.ITERATIONS);
    assertThat(SecretBox.ITERATIONS).isGreaterThanOrEqualTo(600_000);
    assertThat(Base64.getDecoder().decode(parts[3])).hasSize(16);
    assertThat(Base64.getDecoder().decode(parts[4])).hasSize(32);

    SecretBox other = SecretBox.create(PASSPHRASE.toCharArray());
    assertThat(other.record().id()).isNotEqualTo(record.id());
    assertThat(other.record().parameters().split("\\$")[3]).as("salt per key").isNotEqualTo(parts[3]);
    assertThat(other.record().parameters().split("\\$")[4]).as("so the same passphrase gives another key")
        .isNotEqualTo(parts[4]);
  }

  @Test
  void ciphertextNamesItsVersionAndKeyAndIsBoundToTheName() {
    byte[] c = box.encrypt("slack_url", "https://hooks.example/s3cr3t");
    assertThat(SecretBox.version(c)).isEqualTo(2);
    assertThat(SecretBox.keyId(c)).isEqualTo(box.record().id());
    assertThat(new String(c, StandardCharsets.ISO_8859_1)).doesNotContain("s3cr3t");
    assertThat(box.decrypt("slack_url", c)).isEqualTo("https://hooks.example/s3cr3t");
    assertThat(box.encrypt("slack_url", "same")).as("random nonce").isNotEqualTo(box.encrypt("slack_url", "same"));

    assertThatThrownBy(() -> box.decrypt("other_name", c)).isInstanceOf(SluiceException.class)
        .hasMessageContaining("secret 'other_name' can't be decrypted").hasMessageNotContaining("s3cr3t");
    byte[] tampered = c.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThatThrownBy(() -> box.decrypt("slack_url", tampered)).hasMessageContaining("can't be decrypted");
    byte[] relabelled = c.clone();
    relabelled[1] ^= 1;
    assertThatThrownBy(() -> box.decrypt("slack_url", relabelled))
        .hasMessageContaining("is encrypted under key '" + SecretBox.keyId(relabelled) + "'");
    assertThatThrownBy(() -> box.decrypt("slack_url", new byte[] {9, 1, 2})).hasMessageContaining("format version -1");
  }

  @Test
  void openingTheRecordWithTheRightPassphraseGivesTheSameKeyAndAWrongOneIsRefused() {
    byte[] c = box.encrypt("token", "value");
    assertThat(SecretBox.open(box.record(), PASSPHRASE.toCharArray()).decrypt("token", c)).isEqualTo("value");
    assertThatThrownBy(() -> SecretBox.open(box.record(), "a different passphrase".toCharArray()))
        .isInstanceOf(WrongMasterKeyException.class)
        .hasMessage("the master key (secrets.key) is not the one the secrets of this store are encrypted under"
            + " (key '" + box.record().id() + "'): use the passphrase they were stored with");
  }

  @Test
  void recordsThatAreMalformedOrAskForTooFewIterationsAreRefusedBeforeDeriving() {
    String[] parts = box.record().parameters().split("\\$");
    String weak = "$pbkdf2-sha256$i=1000$" + parts[3] + "$" + parts[4];
    assertThatThrownBy(() -> SecretBox.open(new SecretKeyRecord(box.record().id(), weak), PASSPHRASE.toCharArray()))
        .hasMessageContaining("not in a format this version understands (1000 iterations, expected 600000");
    assertThatThrownBy(() -> SecretBox.open(new SecretKeyRecord(box.record().id(), "$scrypt$x"), PASSPHRASE.toCharArray()))
        .hasMessageContaining("not in a format this version understands");
    assertThatThrownBy(() -> SecretBox.open(new SecretKeyRecord("nothex", box.record().parameters()),
        PASSPHRASE.toCharArray())).hasMessageContaining("not in a format this version understands");
  }

  @Test
  void shortPassphrasesAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> SecretBox.create("s3cr3t!".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the secrets master key must be at least 8 characters");
  }

  @Test
  void version1CiphertextsOfTheEarlierFormatAreReadByTheLegacyKeyOnly() {
    // Written by SecretBox as of commit 9e3f646 with PASSPHRASE.
    byte[] v1 = HexFormat.of().parseHex(
        "01ff74910e7af5630502059c3bd15882a2eee09d04702a81ac043f055240e32ef43dfe1a0742f78a3e5c8b3784a2fc");
    assertThat(SecretBox.version(v1)).isEqualTo(1);
    assertThat(SecretBox.legacy(PASSPHRASE.toCharArray()).decrypt("hubspot_token", v1)).isEqualTo("pat-na1-0123456789");
    assertThatThrownBy(() -> box.decrypt("hubspot_token", v1)).hasMessageContaining("format version 1, not 2");
    assertThatThrownBy(() -> SecretBox.legacy(PASSPHRASE.toCharArray()).encrypt("x", "y"))
        .isInstanceOf(IllegalStateException.class);
  }
}
