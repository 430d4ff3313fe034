package dev.sluice.auth;

import dev.sluice.SluiceException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts stored secrets with AES-256-GCM under a key derived from the master
 * passphrase (PBKDF2-HMAC-SHA256, 210,000 iterations). Ciphertext layout: version byte, 12-byte
 * random nonce, ciphertext with the 16-byte tag. The name is bound as associated data, so a
 * ciphertext copied to another name does not decrypt.
 *
 * <p>Thread-safe. The passphrase is not kept after the key is derived.
 */
public final class SecretBox {
  private static final byte VERSION = 1;
  private static final byte[] SALT = "sluice-secret-store-v1".getBytes(StandardCharsets.UTF_8);
  private static final int ITERATIONS = 210_000;
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final SecureRandom random;

  /** @throws IllegalArgumentException when the passphrase is shorter than 8 characters */
  public SecretBox(char[] passphrase) {
    if (passphrase.length < 8) {
      throw new IllegalArgumentException("the secrets master key must be at least 8 characters");
    }
    try {
      KeySpec spec = new PBEKeySpec(passphrase, SALT, ITERATIONS, 256);
      byte[] raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      this.key = new SecretKeySpec(raw, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java platform", e);
    }
    this.random = new SecureRandom();
  }

  public byte[] encrypt(String name, String plaintext) {
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + NONCE + sealed.length).put(VERSION).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java platform", e);
    }
  }

  /** @throws SluiceException when the key is wrong or the ciphertext was tampered with */
  public String decrypt(String name, byte[] ciphertext) {
    if (ciphertext.length < 1 + NONCE + 16 || ciphertext[0] != VERSION) {
      throw new SluiceException("secret '" + name + "' is not in a format this version understands");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 1, NONCE));
      c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      byte[] plain = c.doFinal(ciphertext, 1 + NONCE, ciphertext.length - 1 - NONCE);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new SluiceException("secret '" + name + "' can't be decrypted: wrong master key (secrets.key),"
          + " or the stored value was changed");
    }
  }
}
