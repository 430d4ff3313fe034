package dev.sluice.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a new password of a local user must be (NIST SP 800-63B): at least {@link #minLength()}
 * characters, at most {@link #maxLength()} (a longer one is refused with an error, never
 * truncated), not the user name, and not on the bundled list of common and breached passwords
 * ({@code dev/sluice/auth/common-passwords.txt}, compared case-insensitively). No composition rules
 * (digits, symbols): length and the list matter; rules make passwords worse.
 *
 * <p>Immutable and thread-safe; the list is read once per class loader.
 */
public final class PasswordPolicy {
  /** No policy allows longer passwords; {@link PasswordHasher#verify} refuses longer input. */
  public static final int ABSOLUTE_MAX_LENGTH = 1024;

  private static final String LIST = "common-passwords.txt";

  private final int minLength;
  private final int maxLength;

  private PasswordPolicy(int minLength, int maxLength) {
    this.minLength = minLength;
    this.maxLength = maxLength;
  }

  /**
   * At least 12 and at most 256 characters, not common.
   *
   * @return the default policy
   */
  public static PasswordPolicy defaults() {
    return new PasswordPolicy(12, 256);
  }

  /**
   * A policy with other length limits.
   *
   * @param minLength the fewest characters (code points), at least 8
   * @param maxLength the most characters (code points), {@code minLength} to {@value
   *     #ABSOLUTE_MAX_LENGTH}
   * @return the policy
   * @throws IllegalArgumentException when {@code minLength} is below 8 or {@code maxLength} is
   *     below {@code minLength} or above {@value #ABSOLUTE_MAX_LENGTH}
   */
  public static PasswordPolicy of(int minLength, int maxLength) {
    if (minLength < 8) {
      throw new IllegalArgumentException("a password policy needs a minimum length of at least 8, got " + minLength);
    }
    if (maxLength < minLength || maxLength > ABSOLUTE_MAX_LENGTH) {
      throw new IllegalArgumentException("the maximum password length must be " + minLength + " to "
          + ABSOLUTE_MAX_LENGTH + ", got " + maxLength);
    }
    return new PasswordPolicy(minLength, maxLength);
  }

  /**
   * The fewest characters a password may have.
   *
   * @return the minimum, in code points
   */
  public int minLength() {
    return minLength;
  }

  /**
   * The most characters a password may have; longer ones are refused, never truncated.
   *
   * @return the maximum, in code points
   */
  public int maxLength() {
    return maxLength;
  }

  /**
   * Checks a new password of {@code username}. Does not clear the password.
   *
   * @param username the user's name, or null to skip the check against it
   * @param password the new password, never null
   * @throws PasswordPolicyException naming the rule it breaks (never the password)
   */
  public void check(String username, char[] password) {
    Objects.requireNonNull(password, "password");
    int length = Character.codePointCount(password, 0, password.length);
    if (length < minLength) {
      throw new PasswordPolicyException("the password is too short: " + length + " characters, at least "
          + minLength + " are needed (a passphrase of several words is easy to remember)");
    }
    if (length > maxLength) {
      throw new PasswordPolicyException("the password is too long: " + length + " characters, at most "
          + maxLength + " are allowed (it would not be truncated; choose a shorter one)");
    }
    String lower = new String(password).toLowerCase(Locale.ROOT);
    if (username != null && lower.equals(username.toLowerCase(Locale.ROOT))) {
      throw new PasswordPolicyException("the password must not be the user name");
    }
    if (Common.PASSWORDS.contains(lower)) {
      throw new PasswordPolicyException("the password is on the list of common or breached passwords; choose another");
    }
  }

  /**
   * Whether {@code password} is on the bundled list (case-insensitive).
   *
   * @param password the password, or null
   * @return whether it is common; false for null
   */
  public static boolean isCommon(String password) {
    return password != null && Common.PASSWORDS.contains(password.toLowerCase(Locale.ROOT));
  }

  /**
   * How many passwords the bundled list holds.
   *
   * @return the count
   */
  public static int commonPasswordCount() {
    return Common.PASSWORDS.size();
  }

  private static final class Common {
    static final Set<String> PASSWORDS = load();

    private static Set<String> load() {
      Set<String> out = new HashSet<>();
      try (InputStream in = PasswordPolicy.class.getResourceAsStream(LIST)) {
        if (in == null) {
          throw new IllegalStateException("the common-password list dev/sluice/auth/" + LIST + " is missing from the class path");
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          String p = line.strip();
          if (!p.isEmpty() && !p.startsWith("#")) {
            out.add(p.toLowerCase(Locale.ROOT));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not read the common-password list", e);
      }
      return Set.copyOf(out);
    }
  }

  @Override
  public String toString() {
    return "PasswordPolicy{" + minLength + ".." + maxLength + " characters, not common}";
  }
}
