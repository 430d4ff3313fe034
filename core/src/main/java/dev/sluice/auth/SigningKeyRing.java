package dev.sluice.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceException;
import dev.sluice.store.AuthStateStore;
import dev.sluice.store.SigningKey;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ES256 keys that sign local access tokens: generated here, kept in the {@link AuthStateStore}
 * with the private key sealed by {@link Secrets}, rotated after {@code lifetime}; a retired key
 * verifies its tokens until they expire, then it is deleted. Thread-safe. Not API.
 */
final class SigningKeyRing {
  static final String ALGORITHM = "ES256";
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeyRing.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
  private static final Duration RELOAD_INTERVAL = Duration.ofSeconds(10);
  /** How often a signer looks whether another node rotated the key meanwhile. */
  private static final Duration CHECK_INTERVAL = Duration.ofMinutes(1);

  private final AuthStateStore store;
  private final Secrets secrets;
  private final Clock clock;
  private final Duration lifetime;
  private final Duration keepRetired;

  private Map<String, ECPublicKey> publicKeys = Map.of();
  private Map<String, SigningKey> records = Map.of();
  private Instant loadedAt;
  private Active active;

  record Active(String kid, ECPublicKey publicKey, ECPrivateKey privateKey, Instant createdAt) {}

  SigningKeyRing(AuthStateStore store, Secrets secrets, Clock clock, Duration lifetime, Duration keepRetired) {
    this.store = store;
    this.secrets = secrets;
    this.clock = clock;
    this.lifetime = lifetime;
    this.keepRetired = keepRetired;
  }

  /** The key to sign with now; creates or rotates one when needed. */
  synchronized Active signingKey() {
    Instant now = clock.instant();
    boolean fresh = loadedAt != null && loadedAt.plus(CHECK_INTERVAL).isAfter(now);
    if (active != null && fresh && active.createdAt.plus(lifetime).isAfter(now) && records.containsKey(active.kid)
        && records.get(active.kid).retiredAt() == null) {
      return active;
    }
    reload(now);
    Optional<SigningKey> newest = records.values().stream()
        .filter(k -> k.retiredAt() == null && k.algorithm().equals(ALGORITHM))
        .max((a, b) -> a.createdAt().compareTo(b.createdAt()) != 0 ? a.createdAt().compareTo(b.createdAt())
            : a.kid().compareTo(b.kid()));
    if (newest.isPresent() && newest.get().createdAt().plus(lifetime).isAfter(now)) {
      Optional<Active> opened = open(newest.get());
      if (opened.isPresent()) {
        active = opened.get();
        return active;
      }
    }
    return rotate();
  }

  /** Creates a new signing key, retires the others and deletes retired keys no token can need. */
  synchronized Active rotate() {
    Instant now = clock.instant();
    KeyPair pair = generate();
    String kid = newKid();
    byte[] sealed = secrets.seal(sealName(kid), URL.encodeToString(pair.getPrivate().getEncoded()));
    SigningKey record = new SigningKey(kid, ALGORITHM, pair.getPublic().getEncoded(), sealed, now, null);
    store.saveSigningKey(record);
    for (SigningKey k : store.signingKeys()) {
      if (k.kid().equals(kid)) {
        continue;
      }
      if (k.retiredAt() == null) {
        store.saveSigningKey(k.retired(now));
      } else if (!k.retiredAt().plus(keepRetired).isAfter(now)) {
        store.deleteSigningKey(k.kid());
      }
    }
    reload(now);
    active = new Active(kid, (ECPublicKey) pair.getPublic(), (ECPrivateKey) pair.getPrivate(), now);
    LOG.info("local token signing key rotated: new kid {}", kid);
    return active;
  }

  /**
   * The public key of {@code kid}, if it is one of this ring's. An unknown kid reloads the keys
   * from the store at most every ten seconds (another node may have rotated), so made-up kids
   * can't make each request read the store.
   */
  synchronized Optional<ECPublicKey> verificationKey(String kid) {
    Instant now = clock.instant();
    ECPublicKey key = publicKeys.get(kid);
    if (key == null && (loadedAt == null || !loadedAt.plus(RELOAD_INTERVAL).isAfter(now))) {
      reload(now);
      key = publicKeys.get(kid);
    }
    if (key == null) {
      return Optional.empty();
    }
    SigningKey record = records.get(kid);
    if (record != null && record.retiredAt() != null && !record.retiredAt().plus(keepRetired).isAfter(now)) {
      return Optional.empty(); // retired long enough that no token it signed is still valid
    }
    return Optional.of(key);
  }

  /** The JWKS document (RFC 7517) of every key that may verify a token now. */
  synchronized String jwks() {
    signingKey(); // make sure there is one
    reload(clock.instant());
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode doc = mapper.createObjectNode();
    ArrayNode keys = doc.putArray("keys");
    records.values().stream()
        // Oldest first; of keys made in the same instant, retired ones first, then by kid.
        .sorted(java.util.Comparator.comparing(SigningKey::createdAt)
            .thenComparing(r -> r.retiredAt() == null)
            .thenComparing(SigningKey::kid))
        .filter(r -> publicKeys.containsKey(r.kid()))
        .filter(r -> r.retiredAt() == null || r.retiredAt().plus(keepRetired).isAfter(clock.instant()))
        .forEach(r -> {
          ECPublicKey k = publicKeys.get(r.kid());
          ObjectNode jwk = keys.addObject();
          jwk.put("kty", "EC");
          jwk.put("crv", "P-256");
          jwk.put("use", "sig");
          jwk.put("alg", ALGORITHM);
          jwk.put("kid", r.kid());
          jwk.put("x", URL.encodeToString(unsigned(k.getW().getAffineX())));
          jwk.put("y", URL.encodeToString(unsigned(k.getW().getAffineY())));
        });
    return doc.toString();
  }

  private void reload(Instant now) {
    List<SigningKey> all = store.signingKeys();
    Map<String, ECPublicKey> keys = new HashMap<>();
    Map<String, SigningKey> byKid = new HashMap<>();
    for (SigningKey k : all) {
      if (!k.algorithm().equals(ALGORITHM)) {
        continue;
      }
      try {
        keys.put(k.kid(), (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(k.publicKey())));
        byKid.put(k.kid(), k);
      } catch (GeneralSecurityException | ClassCastException e) {
        LOG.warn("stored signing key {} has an unreadable public key and is ignored", k.kid());
      }
    }
    publicKeys = Map.copyOf(keys);
    records = Map.copyOf(byKid);
    loadedAt = now;
  }

  private Optional<Active> open(SigningKey k) {
    try {
      String encoded = secrets.unseal(sealName(k.kid()), k.privateKeyCiphertext());
      byte[] der = Base64.getUrlDecoder().decode(encoded);
      ECPrivateKey priv = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      Arrays.fill(der, (byte) 0);
      return Optional.of(new Active(k.kid(), publicKeys.get(k.kid()), priv, k.createdAt()));
    } catch (SluiceException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      LOG.warn("signing key {} can't be decrypted with the master key in force (was it rotated?); a new key is made",
          k.kid());
      return Optional.empty();
    }
  }

  private static String sealName(String kid) {
    return "sluice.signing-key." + kid;
  }

  private static String newKid() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return URL.encodeToString(b);
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is part of every Java platform", e);
    }
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length == 32) {
      return b;
    }
    byte[] out = new byte[32];
    if (b.length > 32) {
      System.arraycopy(b, b.length - 32, out, 0, 32);
    } else {
      System.arraycopy(b, 0, out, 32 - b.length, b.length);
    }
    return out;
  }
}
