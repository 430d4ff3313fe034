package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {
  private final PasswordPolicy policy = PasswordPolicy.defaults();

  @Test
  void acceptsALongUncommonPassword() {
    assertThatCode(() -> policy.check("alice", AuthFixture.newPassword())).doesNotThrowAnyException();
  }

  @Test
  void tooShortSaysTheMinimum() {
    assertThatThrownBy(() -> policy.check("alice", "k7#Lq2!x".toCharArray()))
        .isInstanceOf(PasswordPolicyException.class)
        .hasMessageContaining("too short").hasMessageContaining("8 characters").hasMessageContaining("at least 12")
        .hasMessageNotContaining("k7#Lq2!x");
  }

  @Test
  void tooLongIsAnErrorNotATruncation() {
    char[] longOne = new char[257];
    Arrays.fill(longOne, 'z');
    assertThatThrownBy(() -> policy.check("alice", longOne))
        .isInstanceOf(PasswordPolicyException.class)
        .hasMessageContaining("too long").hasMessageContaining("at most 256").hasMessageContaining("not be truncated");
  }

  @Test
  void commonAndBreachedPasswordsAreRefusedCaseInsensitively() {
    assertThat(PasswordPolicy.commonPasswordCount()).isGreaterThan(2_000);
    for (String common : new String[] {"password1234", "Password1234", "QWERTYUIOP123", "iloveyou2024", "123456789012"}) {
      assertThatThrownBy(() -> policy.check("alice", common.toCharArray())).as(common)
          .isInstanceOf(PasswordPolicyException.class).hasMessageContaining("common or breached")
          .hasMessageNotContaining(common);
    }
  }

  @Test
  void theUserNameIsNotAPassword() {
    assertThatThrownBy(() -> policy.check("administrator-x", "Administrator-X".toCharArray()))
        .hasMessageContaining("user name");
  }

  @Test
  void lengthCountsCharactersNotUtf16Units() {
    // 11 emoji are 22 UTF-16 units but 11 characters: too short.
    String emoji = "\uD83D\uDD11".repeat(11);
    assertThatThrownBy(() -> policy.check("alice", emoji.toCharArray())).hasMessageContaining("11 characters");
  }

  @Test
  void limitsAreChecked() {
    assertThatThrownBy(() -> PasswordPolicy.of(7, 64)).hasMessageContaining("7");
    assertThatThrownBy(() -> PasswordPolicy.of(12, 2000)).hasMessageContaining("2000");
    assertThat(PasswordPolicy.of(8, 64).minLength()).isEqualTo(8);
  }
}
