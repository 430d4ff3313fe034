package dev.sluice.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The idempotency key of a record: a stable hash of pipeline name and record key.
 *
 * <p>Destinations use it to make replays harmless: as the database upsert key, the {@code
 * Idempotency-Key} HTTP header, or in deterministic object names. The same pipeline reading the
 * same record (same key) always yields the same idempotency key, on any node and any JVM.
 */
public final class IdempotencyKeys {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private IdempotencyKeys() {}

  /**
   * 32 lower-case hex characters (the first 128 bits of SHA-256 over pipeline, NUL, key).
   *
   * @param pipeline the pipeline's name
   * @param recordKey the record's key
   * @return the key, 32 lower-case hex characters
   */
  public static String of(String pipeline, String recordKey) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    sha.update(pipeline.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    byte[] digest = sha.digest(recordKey.getBytes(StandardCharsets.UTF_8));
    char[] out = new char[32];
    for (int i = 0; i < 16; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[digest[i] & 0xF];
    }
    return new String(out);
  }
}
