package dev.sluice.auth.keycloak.internal;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * One public signing key of a JWKS, parsed by hand from its JSON members ({@code n}/{@code e} for
 * RSA, {@code crv}/{@code x}/{@code y} for EC). Symmetric ({@code oct}) keys and encryption keys
 * are never loaded. Immutable.
 *
 * @param kid the key id
 * @param kty {@code RSA} or {@code EC}
 * @param alg the algorithm the JWKS pins the key to, or null
 * @param crv the EC curve ({@code P-256}, {@code P-384}, {@code P-521}), or null for RSA
 * @param key the public key
 */
public record Jwk(String kid, String kty, String alg, String crv, PublicKey key) {
  /** Key ids we accept: what real providers use, nothing that could be a path or SQL. */
  public static final Pattern KID = Pattern.compile("[A-Za-z0-9_=+-][A-Za-z0-9_.=+-]{0,127}");

  private static final int MIN_RSA_BITS = 2048;

  /** True when {@code kid} is a plausible key id (letters, digits, {@code _ . = + -}, no {@code ..}). */
  public static boolean plausibleKid(String kid) {
    return kid != null && KID.matcher(kid).matches() && !kid.contains("..");
  }

  /** Parses the {@code keys} of a JWKS document; unusable entries are skipped with a debug line. */
  public static Map<String, Jwk> parseSet(JsonNode jwks, Logger log) {
    Map<String, Jwk> out = new LinkedHashMap<>();
    JsonNode keys = jwks.get("keys");
    if (keys == null || !keys.isArray()) {
      return out;
    }
    for (JsonNode k : keys) {
      String kid = text(k, "kid");
      if (!plausibleKid(kid)) {
        log.debug("JWKS: skipping a key without a usable kid");
        continue;
      }
      String use = text(k, "use");
      if (use != null && !use.equals("sig")) {
        continue;
      }
      try {
        Jwk jwk = parse(kid, k);
        if (jwk != null) {
          out.putIfAbsent(kid, jwk);
        } else {
          log.debug("JWKS: skipping key {} (type {} is not a signature key type Sluice accepts)", kid,
              LogSafe.plain(text(k, "kty")));
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        log.debug("JWKS: skipping key {}: {}", kid, e.getMessage());
      }
    }
    return out;
  }

  static Jwk parse(String kid, JsonNode k) throws GeneralSecurityException {
    String kty = text(k, "kty");
    String alg = text(k, "alg");
    if ("RSA".equals(kty)) {
      BigInteger n = unsigned(text(k, "n"), "n");
      BigInteger e = unsigned(text(k, "e"), "e");
      if (n.bitLength() < MIN_RSA_BITS) {
        throw new IllegalArgumentException("RSA modulus of " + n.bitLength() + " bits is below " + MIN_RSA_BITS);
      }
      PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
      return new Jwk(kid, kty, alg, null, key);
    }
    if ("EC".equals(kty)) {
      String crv = text(k, "crv");
      String stdName;
      if ("P-256".equals(crv)) {
        stdName = "secp256r1";
      } else if ("P-384".equals(crv)) {
        stdName = "secp384r1";
      } else if ("P-521".equals(crv)) {
        stdName = "secp521r1";
      } else {
        throw new IllegalArgumentException("unsupported EC curve " + LogSafe.plain(crv));
      }
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec(stdName));
      ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
      ECPoint point = new ECPoint(unsigned(text(k, "x"), "x"), unsigned(text(k, "y"), "y"));
      PublicKey key = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
      return new Jwk(kid, kty, alg, crv, key);
    }
    return null;
  }

  /**
   * The java-jwt algorithm verifying {@code headerAlg} with this key, or null when the key can't
   * be used with that algorithm (wrong key type or curve, or the JWKS pins another algorithm).
   */
  public Algorithm algorithmFor(String headerAlg) {
    if (alg != null && !alg.equals(headerAlg)) {
      return null;
    }
    if (key instanceof RSAPublicKey rsa) {
      switch (headerAlg) {
        case "RS256": return Algorithm.RSA256(rsa, null);
        case "RS384": return Algorithm.RSA384(rsa, null);
        case "RS512": return Algorithm.RSA512(rsa, null);
        case "PS256": return Algorithm.RSA256PSS(rsa, null);
        case "PS384": return Algorithm.RSA384PSS(rsa, null);
        case "PS512": return Algorithm.RSA512PSS(rsa, null);
        default: return null;
      }
    }
    if (key instanceof ECPublicKey ec) {
      switch (headerAlg) {
        case "ES256": return "P-256".equals(crv) ? Algorithm.ECDSA256(ec, null) : null;
        case "ES384": return "P-384".equals(crv) ? Algorithm.ECDSA384(ec, null) : null;
        case "ES512": return "P-521".equals(crv) ? Algorithm.ECDSA512(ec, null) : null;
        default: return null;
      }
    }
    return null;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static BigInteger unsigned(String b64, String member) {
    if (b64 == null || b64.isEmpty()) {
      throw new IllegalArgumentException("member '" + member + "' missing");
    }
    return new BigInteger(1, Base64.getUrlDecoder().decode(b64));
  }
}
