package dev.sluice.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes and verifies passwords of local users with PBKDF2-HMAC-SHA256, a random 16-byte salt per
 * password and (by default) {@value #DEFAULT_ITERATIONS} iterations, OWASP's figure for it.
 *
 * <h2>Encoded form</h2>
 *
 * {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}, salt and 32-byte hash in unpadded Base64. The
 * algorithm and iteration count travel with each hash, so they can be raised: {@link #verify}
 * reports {@link Verification#needsRehash()} when a hash was made with fewer iterations than this
 * hasher uses, and the caller stores a new hash made from the password it just checked (upgrade on
 * login).
 *
 * <p>Comparison is constant-time ({@link MessageDigest#isEqual}); {@link #verifyNothing} spends
 * the same time as a real check, so that an unknown user name costs what a wrong password costs.
 * Passwords are hashed whole (UTF-8, no truncation); their length is limited by {@link
 * PasswordPolicy}, and {@link #verify} refuses more than {@value PasswordPolicy#ABSOLUTE_MAX_LENGTH}
 * characters without hashing them.
 *
 * <p>Immutable and thread-safe. Never keeps a password; callers clear their {@code char[]}.
 */
public final class PasswordHasher {
  /** Iterations for new hashes by default (OWASP Password Storage Cheat Sheet, 2023). */
  public static final int DEFAULT_ITERATIONS = 600_000;

  /** The algorithm name of the encoded form. */
  public static final String ALGORITHM = "pbkdf2-sha256";

  /** Hashes asking for more are refused: a tampered hash must not stall the process. */
  private static final int MAX_ITERATIONS = 10_000_000;
  private static final int SALT = 16;
  private static final int HASH_BITS = 256;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int iterations;
  private final String dummyHash;

  private PasswordHasher(int iterations) {
    this.iterations = iterations;
    char[] dummy = "sluice-dummy-password-for-unknown-users".toCharArray();
    this.dummyHash = hash(dummy);
  }

  /**
   * A hasher with {@value #DEFAULT_ITERATIONS} iterations: the one to use in production.
   *
   * @return the hasher
   */
  public static PasswordHasher defaults() {
    return new PasswordHasher(DEFAULT_ITERATIONS);
  }

  /**
   * A hasher with another iteration count: higher to raise the cost, lower only in tests (where
   * 600,000 iterations per hash would make a suite slow).
   *
   * @param iterations PBKDF2 iterations of new hashes, 1,000 to 10,000,000
   * @return the hasher
   * @throws IllegalArgumentException when {@code iterations} is below 1,000 or above 10,000,000
   */
  public static PasswordHasher withIterations(int iterations) {
    if (iterations < 1_000 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("PBKDF2 iterations must be 1,000 to 10,000,000, got " + iterations);
    }
    return new PasswordHasher(iterations);
  }

  /**
   * The iteration count of new hashes.
   *
   * @return the count
   */
  public int iterations() {
    return iterations;
  }

  /**
   * A new encoded hash of {@code password} with a fresh salt. Does not clear the password.
   *
   * @param password never null
   * @return the hash in the encoded form
   * @throws NullPointerException when {@code password} is null
   */
  public String hash(char[] password) {
    Objects.requireNonNull(password, "password");
    byte[] salt = new byte[SALT];
    RANDOM.nextBytes(salt);
    byte[] hash = pbkdf2(password, salt, iterations);
    return ALGORITHM + "$" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /**
   * The outcome of {@link #verify}.
   *
   * @param matches whether the password is the one hashed
   * @param needsRehash whether it matched and the hash was made with weaker parameters than this
   *     hasher's: store {@link PasswordHasher#hash} of the password
   */
  public record Verification(boolean matches, boolean needsRehash) {}

  /**
   * Checks {@code password} against an encoded hash, in constant time. A hash that is not in the
   * encoded form (or asks for absurd parameters) never matches; the check then still spends the
   * time of a real one. Does not clear the password.
   *
   * @param password the password to check, never null
   * @param encoded the stored hash in the encoded form; null or malformed never matches
   * @return whether it matches, and whether the hash should be replaced
   * @throws NullPointerException when {@code password} is null
   */
  public Verification verify(char[] password, String encoded) {
    Objects.requireNonNull(password, "password");
    Parsed parsed = parse(encoded);
    if (parsed == null || password.length > PasswordPolicy.ABSOLUTE_MAX_LENGTH) {
      verifyNothing(password.length > PasswordPolicy.ABSOLUTE_MAX_LENGTH ? new char[1] : password);
      return new Verification(false, false);
    }
    byte[] actual = pbkdf2(password, parsed.salt, parsed.iterations);
    boolean matches = MessageDigest.isEqual(actual, parsed.hash);
    Arrays.fill(actual, (byte) 0);
    return new Verification(matches, matches && parsed.iterations < iterations);
  }

  /**
   * Spends the time of a real check and returns false: what a login of an unknown (or disabled)
   * user does, so that its answer takes as long as a wrong password's.
   *
   * @param password the password given, never null
   * @return always {@code false}
   */
  public boolean verifyNothing(char[] password) {
    Parsed parsed = parse(dummyHash);
    byte[] actual = pbkdf2(password.length > PasswordPolicy.ABSOLUTE_MAX_LENGTH ? new char[1] : password,
        parsed.salt, parsed.iterations);
    MessageDigest.isEqual(actual, parsed.hash);
    return false;
  }

  /**
   * Whether {@code encoded} is in this hasher's encoded form (any iteration count it accepts).
   *
   * @param encoded a stored hash, or null
   * @return whether it can be verified
   */
  public static boolean isEncoded(String encoded) {
    return parse(encoded) != null;
  }

  /**
   * The iteration count of an encoded hash.
   *
   * @param encoded a stored hash, or null
   * @return the count, or -1 when it is not in the encoded form
   */
  public static int iterationsOf(String encoded) {
    Parsed p = parse(encoded);
    return p == null ? -1 : p.iterations;
  }

  private record Parsed(int iterations, byte[] salt, byte[] hash) {}

  private static Parsed parse(String encoded) {
    if (encoded == null || encoded.length() > 500) {
      return null;
    }
    String[] parts = encoded.split("\\$", -1);
    if (parts.length != 4 || !parts[0].equals(ALGORITHM) || !parts[1].matches("[1-9][0-9]{0,8}")) {
      return null;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] hash = Base64.getDecoder().decode(parts[3]);
      if (iterations < 1_000 || iterations > MAX_ITERATIONS || salt.length < SALT || hash.length != HASH_BITS / 8) {
        return null;
      }
      return new Parsed(iterations, salt, hash);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
    // PBEKeySpec rejects an empty password; hash the (never valid) empty password as one NUL.
    char[] input = password.length == 0 ? new char[] {'\0'} : password;
    PBEKeySpec spec = new PBEKeySpec(input, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java platform", e);
    } finally {
      spec.clearPassword();
    }
  }

  @Override
  public String toString() {
    return "PasswordHasher{" + ALGORITHM + ", " + iterations + " iterations}";
  }
}
