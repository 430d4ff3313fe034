package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = PasswordHasher.withIterations(1_000);

  @Test
  void encodedFormNamesAlgorithmIterationsSaltAndHash() {
    char[] pw = AuthFixture.newPassword();
    String encoded = hasher.hash(pw);
    String[] parts = encoded.split("\\$");
    assertThat(parts).hasSize(4);
    assertThat(parts[0]).isEqualTo("pbkdf2-sha256");
    assertThat(parts[1]).isEqualTo("1000");
    assertThat(Base64.getDecoder().decode(parts[2])).hasSize(16);
    assertThat(Base64.getDecoder().decode(parts[3])).hasSize(32);
    assertThat(encoded).doesNotContain(new String(pw));
    assertThat(PasswordHasher.isEncoded(encoded)).isTrue();
    assertThat(PasswordHasher.iterationsOf(encoded)).isEqualTo(1000);
  }

  @Test
  void verifiesTheRightPasswordOnly() {
    char[] pw = AuthFixture.newPassword();
    String encoded = hasher.hash(pw);
    assertThat(hasher.verify(pw, encoded)).isEqualTo(new PasswordHasher.Verification(true, false));
    char[] wrong = pw.clone();
    wrong[wrong.length - 1] ^= 1;
    assertThat(hasher.verify(wrong, encoded).matches()).isFalse();
    assertThat(hasher.verify(new char[0], encoded).matches()).isFalse();
  }

  @Test
  void eachHashHasItsOwnSalt() {
    char[] pw = AuthFixture.newPassword();
    assertThat(hasher.hash(pw)).isNotEqualTo(hasher.hash(pw));
  }

  @Test
  void aHashWithFewerIterationsIsFlaggedForUpgradeWhenItMatches() {
    char[] pw = AuthFixture.newPassword();
    String old = PasswordHasher.withIterations(1_000).hash(pw);
    PasswordHasher stronger = PasswordHasher.withIterations(2_000);
    assertThat(stronger.verify(pw, old)).isEqualTo(new PasswordHasher.Verification(true, true));
    assertThat(stronger.verify("nope-nope-nope".toCharArray(), old)).isEqualTo(new PasswordHasher.Verification(false, false));
    assertThat(stronger.verify(pw, stronger.hash(pw)).needsRehash()).isFalse();
  }

  @Test
  void longPasswordsAreHashedWholeNotTruncated() {
    // bcrypt would cut at 72 bytes: these differ only at character 200.
    char[] a = new char[200];
    Arrays.fill(a, 'x');
    char[] b = a.clone();
    b[199] = 'y';
    String encoded = hasher.hash(a);
    assertThat(hasher.verify(a, encoded).matches()).isTrue();
    assertThat(hasher.verify(b, encoded).matches()).isFalse();
  }

  @Test
  void nonAsciiPasswordsWork() {
    char[] pw = ("pässwörd-日本語-" + UUID.randomUUID()).toCharArray();
    assertThat(hasher.verify(pw, hasher.hash(pw)).matches()).isTrue();
  }

  @Test
  void malformedOrHostileHashesNeverMatch() {
    char[] pw = AuthFixture.newPassword();
    String good = hasher.hash(pw);
    String[] p = good.split("\\$");
    for (String bad : new String[] {
        "", "plaintext", "pbkdf2-sha1$1000$" + p[2] + "$" + p[3], "pbkdf2-sha256$999999999$" + p[2] + "$" + p[3],
        "pbkdf2-sha256$10$" + p[2] + "$" + p[3], "pbkdf2-sha256$1000$!!!$" + p[3], "pbkdf2-sha256$1000$" + p[2] + "$AAAA",
        "pbkdf2-sha256$1000$" + p[2] + "$" + p[3] + "$extra"}) {
      assertThat(hasher.verify(pw, bad).matches()).as(bad).isFalse();
    }
    assertThat(hasher.verify(pw, null).matches()).isFalse();
  }

  @Test
  void overlongInputIsRefusedWithoutMatching() {
    char[] huge = new char[PasswordPolicy.ABSOLUTE_MAX_LENGTH + 1];
    Arrays.fill(huge, 'a');
    String encoded = hasher.hash(huge); // hashing is allowed (policy stops it earlier) ...
    assertThat(hasher.verify(huge, encoded).matches()).as("... but verification refuses over-long input").isFalse();
  }

  @Test
  void unknownUsersCostAVerification() {
    assertThat(hasher.verifyNothing(AuthFixture.newPassword())).isFalse();
  }

  @Test
  void iterationCountsOutsideTheSaneRangeAreRefused() {
    assertThatThrownBy(() -> PasswordHasher.withIterations(999)).hasMessageContaining("999");
    assertThatThrownBy(() -> PasswordHasher.withIterations(10_000_001)).hasMessageContaining("10000001");
  }

  @Test
  void productionDefaultIsSixHundredThousandIterations() {
    PasswordHasher production = PasswordHasher.defaults();
    assertThat(production.iterations()).isEqualTo(600_000);
    char[] pw = AuthFixture.newPassword();
    String encoded = production.hash(pw);
    assertThat(encoded).startsWith("pbkdf2-sha256$600000$");
    assertThat(production.verify(pw, encoded)).isEqualTo(new PasswordHasher.Verification(true, false));
    // A 600k hash is not "weaker" for the test hasher; a 1k one is for production.
    assertThat(production.verify(pw, hasher.hash(pw)).needsRehash()).isTrue();
  }
}
