package dev.sluice.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * Opaque credentials: API keys ({@code sluice_ak_} + 40 base62 characters + a 6-character CRC32
 * checksum, so secret scanners can find leaked keys and tell them from look-alikes) and refresh
 * tokens ({@code sluice_rt_} + the same). Both are stored as SHA-256 hashes: they carry about 238
 * random bits, so a slow hash adds nothing. Thread-safe. Not API.
 */
final class OpaqueTokens {
  static final String API_KEY_PREFIX = "sluice_ak_";
  static final String REFRESH_PREFIX = "sluice_rt_";
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final int RANDOM_CHARS = 40;
  private static final int CHECK_CHARS = 6;
  private static final SecureRandom RANDOM = new SecureRandom();

  private OpaqueTokens() {}

  static String newToken(String prefix) {
    StringBuilder body = new StringBuilder(RANDOM_CHARS);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      body.append(BASE62.charAt(RANDOM.nextInt(62)));
    }
    return prefix + body + checksum(prefix + body);
  }

  /** Whether {@code token} has the shape of a token with {@code prefix} and a correct checksum. */
  static boolean wellFormed(String prefix, String token) {
    if (token == null || token.length() != prefix.length() + RANDOM_CHARS + CHECK_CHARS || !token.startsWith(prefix)) {
      return false;
    }
    for (int i = prefix.length(); i < token.length(); i++) {
      if (BASE62.indexOf(token.charAt(i)) < 0) {
        return false;
      }
    }
    String body = token.substring(0, token.length() - CHECK_CHARS);
    return MessageDigest.isEqual(checksum(body).getBytes(StandardCharsets.US_ASCII),
        token.substring(token.length() - CHECK_CHARS).getBytes(StandardCharsets.US_ASCII));
  }

  static String hash(String token) {
    try {
      return "sha256:" + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  static String randomId(String prefix, int chars) {
    StringBuilder b = new StringBuilder(prefix);
    for (int i = 0; i < chars; i++) {
      b.append(BASE62.charAt(RANDOM.nextInt(62)));
    }
    return b.toString();
  }

  private static String checksum(String body) {
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.US_ASCII));
    long v = crc.getValue();
    char[] out = new char[CHECK_CHARS];
    for (int i = CHECK_CHARS - 1; i >= 0; i--) {
      out[i] = BASE62.charAt((int) (v % 62));
      v /= 62;
    }
    return new String(out);
  }
}
