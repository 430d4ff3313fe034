package dev.sluice.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A key that signs local access tokens, as a store keeps it: the public key in the clear (anyone
 * may verify), the private key only as ciphertext (encrypted above the store, under the master key
 * of the secrets; see {@code dev.sluice.auth.LocalAuth}).
 *
 * <p>Immutable; the arrays are copied in and out.
 *
 * @param kid the key id tokens name in their {@code kid} header: 1-64 letters, digits, {@code _}
 *     or {@code -}
 * @param algorithm the JWS algorithm, e.g. {@code ES256}, never null
 * @param publicKey the X.509 (SubjectPublicKeyInfo) encoding of the public key, never null
 * @param privateKeyCiphertext the encrypted PKCS#8 encoding of the private key, never null
 * @param createdAt never null
 * @param retiredAt when a newer key took over signing; null while this key signs. A retired key
 *     still verifies the tokens it signed until they expire, and is then deleted
 */
public record SigningKey(
    String kid,
    String algorithm,
    byte[] publicKey,
    byte[] privateKeyCiphertext,
    Instant createdAt,
    Instant retiredAt) {
  /**
   * Checks the components and copies the byte arrays.
   *
   * @param kid 1-64 letters, digits, {@code _} or {@code -}
   * @param algorithm the JWS algorithm, never null
   * @param publicKey the X.509 encoding, never null
   * @param privateKeyCiphertext the encrypted PKCS#8 encoding, never null
   * @param createdAt never null
   * @param retiredAt null while this key signs
   * @throws NullPointerException when a required component is null
   * @throws IllegalArgumentException when {@code kid} is malformed
   */
  public SigningKey {
    Objects.requireNonNull(kid, "kid");
    if (!kid.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("a signing key id is 1-64 letters, digits, '_' or '-'");
    }
    Objects.requireNonNull(algorithm, "algorithm");
    publicKey = Objects.requireNonNull(publicKey, "publicKey").clone();
    privateKeyCiphertext = Objects.requireNonNull(privateKeyCiphertext, "privateKeyCiphertext").clone();
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /**
   * The public key.
   *
   * @return a fresh copy of its X.509 encoding
   */
  @Override
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * The encrypted private key.
   *
   * @return a fresh copy of its ciphertext
   */
  @Override
  public byte[] privateKeyCiphertext() {
    return privateKeyCiphertext.clone();
  }

  /**
   * This key, retired at {@code at}.
   *
   * @param at when a newer key took over signing
   * @return a copy with {@code retiredAt} set
   */
  public SigningKey retired(Instant at) {
    return new SigningKey(kid, algorithm, publicKey, privateKeyCiphertext, createdAt, at);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningKey k && kid.equals(k.kid) && algorithm.equals(k.algorithm)
        && Arrays.equals(publicKey, k.publicKey) && Arrays.equals(privateKeyCiphertext, k.privateKeyCiphertext)
        && createdAt.equals(k.createdAt) && Objects.equals(retiredAt, k.retiredAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kid, algorithm, Arrays.hashCode(publicKey), createdAt, retiredAt);
  }

  /** Never shows key material. */
  @Override
  public String toString() {
    return "SigningKey{" + kid + ", " + algorithm + ", createdAt=" + createdAt + ", retiredAt=" + retiredAt + "}";
  }
}
