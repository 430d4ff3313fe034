package dev.sluice.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256, the one place Sluice computes it: webhook signatures made by the {@code webhook}
 * destination and checked by webhook triggers. Not API.
 *
 * <p>Stateless and thread-safe: each call uses its own {@link Mac}.
 */
public final class HmacSha256 {
  private static final String ALGORITHM = "HmacSHA256";

  private HmacSha256() {}

  /**
   * The MAC of the concatenation of {@code parts} under {@code key}.
   *
   * @throws IllegalArgumentException when the key is empty
   */
  public static byte[] mac(byte[] key, byte[]... parts) {
    Objects.requireNonNull(key, "key");
    if (key.length == 0) {
      throw new IllegalArgumentException("an HMAC-SHA256 key must not be empty");
    }
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
    }
  }

  /**
   * Whether two MACs are equal, in time that depends only on their lengths (never on where they
   * first differ), so a caller can't learn a valid MAC byte by byte. Null never matches.
   */
  public static boolean matches(byte[] expected, byte[] given) {
    return expected != null && given != null && MessageDigest.isEqual(expected, given);
  }
}
