package dev.sluice.server.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key store in memory made from PEM files, as certbot, cert-manager and most CAs hand them out:
 * a certificate chain (the server's certificate first, then intermediates) and an unencrypted
 * private key, PKCS #8 (RSA, EC, Ed25519: what {@code openssl genpkey} and certbot write) or PKCS #1
 * (RSA only, cert-manager's default), told apart by content. Encrypted and SEC1 EC keys are refused
 * with the {@code openssl} command that converts them. The key must belong to the first certificate: a mismatch is
 * an error at start, not a failed handshake later.
 *
 * <p>Error messages name the file and what is wrong with it, never key material. Stateless.
 */
public final class PemKeyStore {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private PemKeyStore() {}

  /**
   * Reads the files into a PKCS #12 key store with one entry, alias {@code sluice}.
   *
   * @param certificateChain PEM certificates, the server's first, never null
   * @param privateKey the PEM private key of the first certificate, never null
   * @param password protects the entry in memory, never null
   * @return the key store, loaded
   * @throws IllegalArgumentException when a file is missing, unreadable or not what it should be
   */
  public static KeyStore load(Path certificateChain, Path privateKey, char[] password) {
    List<X509Certificate> chain = certificates(certificateChain);
    PrivateKey key = privateKey(privateKey);
    if (!matches(key, chain.get(0))) {
      throw new IllegalArgumentException("TLS: the private key in " + privateKey + " does not belong to the first"
          + " certificate in " + certificateChain + " (" + chain.get(0).getSubjectX500Principal().getName()
          + "); the server's certificate must come first, then its intermediates");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("sluice", key, password, chain.toArray(new Certificate[0]));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("TLS: could not make a key store of " + certificateChain + " and "
          + privateKey + ": " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> certificates(Path file) {
    String pem = read(file, "certificate chain");
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("TLS: " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    try (InputStream in = new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))) {
      List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(c -> (X509Certificate) c).toList();
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("TLS: " + file + " holds no certificate");
      }
      return chain;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("TLS: " + file + " is not a PEM certificate chain: " + e.getMessage(), e);
    }
  }

  /**
   * The first PEM block of the file that holds an unencrypted key. Blocks are told apart by their
   * content, not by their label: a label is only a hint, and other blocks (EC parameters) may come first.
   */
  private static PrivateKey privateKey(Path file) {
    String pem = read(file, "private key");
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("TLS: a PEM block in " + file + " is not valid base64");
      }
      PrivateKey key = pkcs8(der);
      if (key == null) {
        key = rsa(der);
      }
      if (key != null) {
        return key;
      }
      if (isEncrypted(der)) {
        throw new IllegalArgumentException("TLS: the private key in " + file
            + " is encrypted; decrypt it (openssl pkcs8 -in KEY -out key.pem) and protect the file instead,"
            + " or use a PKCS #12 key store with a password (server.tls.keyStore)");
      }
      if (isSec1(der)) {
        throw new IllegalArgumentException("TLS: " + file + " holds an EC key in the SEC1 format, which is not read;"
            + " convert it to PKCS #8 (openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem)");
      }
      // Not a key (EC parameters before it, a certificate): look on.
    }
    throw new IllegalArgumentException("TLS: " + file + " holds no PEM private key (unencrypted PKCS #8, or PKCS #1"
        + " for RSA)");
  }

  /** A PKCS #8 PrivateKeyInfo of an algorithm the JDK reads; null when {@code der} is not one. */
  private static PrivateKey pkcs8(byte[] der) {
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // not this algorithm: try the next
      }
    }
    return null;
  }

  /** A PKCS #8 EncryptedPrivateKeyInfo. */
  private static boolean isEncrypted(byte[] der) {
    try {
      new javax.crypto.EncryptedPrivateKeyInfo(der);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** An ECPrivateKey of RFC 5915 (SEC1): SEQUENCE { INTEGER 1, OCTET STRING, ... }. */
  private static boolean isSec1(byte[] der) {
    if (der.length < 6 || der[0] != 0x30) {
      return false;
    }
    int i = (der[1] & 0x80) == 0 ? 2 : 2 + (der[1] & 0x7f);
    return der.length > i + 3 && der[i] == 0x02 && der[i + 1] == 0x01 && der[i + 2] == 0x01 && der[i + 3] == 0x04;
  }

  /**
   * A PKCS #1 RSAPrivateKey, read by wrapping it as the PKCS #8 PrivateKeyInfo it is inside (same
   * key, one more layer); null when {@code pkcs1} is not one.
   */
  private static PrivateKey rsa(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00}; // SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL }
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = der(0x04, pkcs1);
    byte[] body = new byte[version.length + algorithm.length + octets.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
    System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(0x30, body)));
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static byte[] der(int tag, byte[] content) {
    int n = content.length;
    byte[] length = n < 0x80 ? new byte[] {(byte) n}
        : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
        : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
        : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(content, 0, out, 1 + length.length, n);
    return out;
  }

  /** Whether {@code key} signs what the certificate's public key verifies. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. an EC key against an RSA certificate
    }
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("TLS: the " + what + " file " + file + " does not exist");
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("TLS: could not read the " + what + " file " + file + ": " + e.getMessage());
    }
  }
}
