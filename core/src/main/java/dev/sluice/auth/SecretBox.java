package dev.sluice.auth;

import dev.sluice.SluiceException;
import dev.sluice.store.SecretKeyRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts stored secrets with AES-256-GCM under a key derived from the master
 * passphrase.
 *
 * <h2>Key</h2>
 *
 * PBKDF2-HMAC-SHA256 with {@value #ITERATIONS} iterations (OWASP's figure for it) over the
 * passphrase and a random 16-byte salt of the store gives a 32-byte master key; from it, HMAC-SHA256
 * with two fixed labels (HKDF-Expand, one block each) gives the AES key and a key-check value. The
 * {@link SecretKeyRecord} a store keeps holds {@code $pbkdf2-sha256$i=<iterations>$<salt>$<check>}
 * (PHC string format, unpadded Base64) and a random key id, so a wrong passphrase is recognised
 * before any secret is touched, and the iteration count can be raised for new keys without breaking
 * old ones. Deriving takes about half a second by design: derive once per store and process
 * ({@link Secrets#open}), never per secret.
 *
 * <h2>Ciphertext (version 2)</h2>
 *
 * {@code 0x02}, the 8-byte key id, a 12-byte random nonce, then the ciphertext with its 16-byte tag.
 * The version, key id and secret name are bound as associated data: a ciphertext copied to another
 * name, or relabelled with another key id, does not decrypt.
 *
 * <p>Version 1, written before key records existed (PBKDF2 with 210,000 iterations and a salt fixed
 * for every installation; {@code 0x01}, nonce, ciphertext), is only read, by {@link #legacy}, to
 * re-encrypt it as version 2.
 *
 * <p>Thread-safe and immutable. It never keeps the passphrase; callers pass it as a {@code char[]}
 * and clear it after use ({@link Secrets#open} does). Messages never contain secret material.
 */
public final class SecretBox {
  /** PBKDF2-HMAC-SHA256 iterations for new keys (OWASP Password Storage Cheat Sheet, 2023). */
  public static final int ITERATIONS = 600_000;

  /** Records asking for more are refused: a tampered record must not stall the process for hours. */
  private static final int MAX_ITERATIONS = 10_000_000;
  private static final String ALGORITHM = "pbkdf2-sha256";
  private static final byte V1 = 1;
  private static final byte V2 = 2;
  private static final int SALT = 16;
  private static final int KEY_ID = 8;
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final int MIN_PASSPHRASE = 8;
  private static final byte[] V1_SALT = "sluice-secret-store-v1".getBytes(StandardCharsets.UTF_8);
  private static final int V1_ITERATIONS = 210_000;
  private static final byte[] ENCRYPTION_LABEL = "sluice secrets: aes-256-gcm key\u0001".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CHECK_LABEL = "sluice secrets: key check\u0001".getBytes(StandardCharsets.UTF_8);
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;
  private final SecretKeyRecord record; // null for the legacy (version 1) box
  private final byte[] keyId;

  private SecretBox(SecretKey key, SecretKeyRecord record, byte[] keyId) {
    this.key = key;
    this.record = record;
    this.keyId = keyId;
  }

  /**
   * A new key from {@code passphrase}: fresh random salt and key id, {@value #ITERATIONS}
   * iterations. Store its {@link #record()} with the secrets. Does not clear the passphrase.
   *
   * @param passphrase the master passphrase, at least 8 characters
   * @return the new box
   * @throws IllegalArgumentException when the passphrase is shorter than 8 characters
   */
  public static SecretBox create(char[] passphrase) {
    checkLength(passphrase);
    byte[] salt = new byte[SALT];
    byte[] id = new byte[KEY_ID];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(id);
    Derived d = derive(passphrase, salt, ITERATIONS);
    String parameters = "$" + ALGORITHM + "$i=" + ITERATIONS + "$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(d.check);
    return new SecretBox(d.key, new SecretKeyRecord(HexFormat.of().formatHex(id), parameters), id);
  }

  /**
   * The key {@code record} describes, derived from {@code passphrase}. Does not clear the
   * passphrase.
   *
   * @param record the key record in force, never null
   * @param passphrase the master passphrase
   * @return the box
   * @throws WrongMasterKeyException when the passphrase is not the one the record was made with
   * @throws SluiceException when the record is not in a format this version understands
   */
  public static SecretBox open(SecretKeyRecord record, char[] passphrase) {
    Objects.requireNonNull(record, "record");
    String[] parts = record.parameters().split("\\$", -1);
    byte[] id;
    byte[] salt;
    byte[] check;
    int iterations;
    try {
      id = HexFormat.of().parseHex(record.id());
      if (parts.length != 5 || !parts[0].isEmpty() || !parts[1].equals(ALGORITHM) || !parts[2].startsWith("i=")) {
        throw new IllegalArgumentException("not $" + ALGORITHM + "$i=<iterations>$<salt>$<check>");
      }
      iterations = Integer.parseInt(parts[2].substring(2));
      salt = Base64.getDecoder().decode(parts[3]);
      check = Base64.getDecoder().decode(parts[4]);
      if (id.length != KEY_ID || salt.length < SALT || check.length != 32) {
        throw new IllegalArgumentException("wrong lengths of key id, salt or check value");
      }
      if (iterations < ITERATIONS || iterations > MAX_ITERATIONS) {
        throw new IllegalArgumentException(iterations + " iterations, expected " + ITERATIONS + " to " + MAX_ITERATIONS);
      }
    } catch (IllegalArgumentException e) {
      throw new SluiceException("the secret key record '" + record.id() + "' of the store is not in a format this"
          + " version understands (" + e.getMessage() + ")");
    }
    checkLength(passphrase);
    Derived d = derive(passphrase, salt, iterations);
    if (!MessageDigest.isEqual(d.check, check)) {
      throw new WrongMasterKeyException("the master key (secrets.key) is not the one the secrets of this store are"
          + " encrypted under (key '" + record.id() + "'): use the passphrase they were stored with");
    }
    return new SecretBox(d.key, record, id);
  }

  /**
   * The key of secrets written before key records existed (version 1), only for reading them
   * ({@link #encrypt} refuses). Does not clear the passphrase.
   */
  static SecretBox legacy(char[] passphrase) {
    checkLength(passphrase);
    byte[] raw = pbkdf2(passphrase, V1_SALT, V1_ITERATIONS);
    try {
      return new SecretBox(new SecretKeySpec(raw, "AES"), null, null);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * The record to keep with the secrets.
   *
   * @return the record; null for a box that reads version 1 ciphertext only
   */
  public SecretKeyRecord record() {
    return record;
  }

  /**
   * The format version of a stored ciphertext.
   *
   * @param ciphertext a stored ciphertext, never null
   * @return 1, 2, or -1 when it is neither
   */
  public static int version(byte[] ciphertext) {
    if (ciphertext.length >= 1 + NONCE + 16 && ciphertext[0] == V1) {
      return 1;
    }
    if (ciphertext.length >= 1 + KEY_ID + NONCE + 16 && ciphertext[0] == V2) {
      return 2;
    }
    return -1;
  }

  /**
   * The key id a version 2 ciphertext names.
   *
   * @param ciphertext a version 2 ciphertext
   * @return the key id in hex, as in {@link SecretKeyRecord#id()}
   * @throws IllegalArgumentException when it is not a version 2 ciphertext
   */
  public static String keyId(byte[] ciphertext) {
    if (version(ciphertext) != 2) {
      throw new IllegalArgumentException("not a version 2 ciphertext");
    }
    return HexFormat.of().formatHex(ciphertext, 1, 1 + KEY_ID);
  }

  /**
   * A version 2 ciphertext of {@code plaintext} stored as {@code name}, with a fresh random nonce.
   *
   * @param name the secret's name, bound to the ciphertext
   * @param plaintext the value
   * @return the ciphertext
   */
  public byte[] encrypt(String name, String plaintext) {
    if (record == null) {
      throw new IllegalStateException("the version 1 key only reads old secrets");
    }
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(associatedData(name));
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + KEY_ID + NONCE + sealed.length).put(V2).put(keyId).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java platform", e);
    }
  }

  /**
   * The plaintext of a ciphertext of this box's version and key.
   *
   * @param name the secret's name the ciphertext was made for
   * @param ciphertext the ciphertext
   * @return the plaintext
   * @throws SluiceException naming the secret when it is of another format or key, or does not
   *     decrypt (wrong key or changed bytes)
   */
  public String decrypt(String name, byte[] ciphertext) {
    int version = version(ciphertext);
    boolean legacy = record == null;
    if (version != (legacy ? 1 : 2)) {
      throw new SluiceException("secret '" + name + "' is in format version " + version + ", not "
          + (legacy ? 1 : 2) + " as expected");
    }
    if (!legacy && !MessageDigest.isEqual(Arrays.copyOfRange(ciphertext, 1, 1 + KEY_ID), keyId)) {
      throw new SluiceException("secret '" + name + "' is encrypted under key '" + keyId(ciphertext)
          + "', not under key '" + record.id() + "' this process opened the secrets with: the key was rotated"
          + " since (restart with the new passphrase), or the secret was written under another key");
    }
    int header = legacy ? 1 : 1 + KEY_ID;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, header, NONCE));
      c.updateAAD(legacy ? name.getBytes(StandardCharsets.UTF_8) : associatedData(name));
      byte[] plain = c.doFinal(ciphertext, header + NONCE, ciphertext.length - header - NONCE);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new SluiceException("secret '" + name + "' can't be decrypted: wrong master key (secrets.key),"
          + " or the stored value was changed");
    }
  }

  private byte[] associatedData(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + KEY_ID + n.length).put(V2).put(keyId).put(n).array();
  }

  private static void checkLength(char[] passphrase) {
    Objects.requireNonNull(passphrase, "passphrase");
    if (passphrase.length < MIN_PASSPHRASE) {
      throw new IllegalArgumentException("the secrets master key must be at least " + MIN_PASSPHRASE + " characters");
    }
  }

  private record Derived(SecretKey key, byte[] check) {}

  private static Derived derive(char[] passphrase, byte[] salt, int iterations) {
    byte[] master = pbkdf2(passphrase, salt, iterations);
    byte[] aes = hmac(master, ENCRYPTION_LABEL);
    try {
      return new Derived(new SecretKeySpec(aes, "AES"), hmac(master, CHECK_LABEL));
    } finally {
      Arrays.fill(master, (byte) 0);
      Arrays.fill(aes, (byte) 0); // SecretKeySpec took a copy
    }
  }

  private static byte[] pbkdf2(char[] passphrase, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java platform", e);
    } finally {
      spec.clearPassword(); // the spec's own copy of the passphrase
    }
  }

  private static byte[] hmac(byte[] key, byte[] label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(label);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
    }
  }
}
