package dev.sluice.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Issues and validates local access tokens (ES256 JWTs). Validation is strict and answers a
 * reason safe to log: it never contains the token or any value taken from it. Thread-safe. Not
 * API.
 */
final class AccessTokens {
  static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SigningKeyRing keys;
  private final Clock clock;
  private final String issuer;
  private final String audience;
  private final Duration ttl;
  private final Duration skew;
  private final int maxLength;

  AccessTokens(SigningKeyRing keys, Clock clock, String issuer, String audience, Duration ttl, Duration skew,
      int maxLength) {
    this.keys = keys;
    this.clock = clock;
    this.issuer = issuer;
    this.audience = audience;
    this.ttl = ttl;
    this.skew = skew;
    this.maxLength = maxLength;
  }

  /** An issued token and when it expires. */
  record Issued(String token, Instant expiresAt) {}

  Issued issue(String subject, Set<String> roles, String sessionId) {
    SigningKeyRing.Active key = keys.signingKey();
    Instant now = clock.instant();
    Instant exp = now.plus(ttl);
    byte[] jti = new byte[16];
    RANDOM.nextBytes(jti);
    String token = JWT.create()
        .withKeyId(key.kid())
        .withIssuer(issuer)
        .withAudience(audience)
        .withSubject(subject)
        .withIssuedAt(now)
        .withNotBefore(now)
        .withExpiresAt(exp)
        .withJWTId(Base64.getUrlEncoder().withoutPadding().encodeToString(jti))
        .withClaim("sid", sessionId)
        .withArrayClaim("roles", roles.stream().sorted().toArray(String[]::new))
        .sign(Algorithm.ECDSA256(key.publicKey(), key.privateKey()));
    return new Issued(token, exp);
  }

  /** A valid token's claims. */
  record Claims(String subject, Set<String> roles, String jti, String sessionId, Instant expiresAt) {}

  /** The outcome: claims, or a reason safe to log. */
  record Outcome(Claims claims, String rejection) {
    static Outcome rejected(String reason) {
      return new Outcome(null, reason);
    }
  }

  /** Whether {@code token} looks like a JWT issued by this issuer (without trusting it). */
  boolean claimsOurIssuer(String token) {
    if (token == null || token.length() > maxLength || !JWS.matcher(token).matches()) {
      return false;
    }
    try {
      return issuer.equals(JWT.decode(token).getIssuer());
    } catch (JWTDecodeException e) {
      return false;
    }
  }

  Outcome validate(String token) {
    if (token == null || token.isEmpty()) {
      return Outcome.rejected("no token");
    }
    if (token.length() > maxLength) {
      return Outcome.rejected("token longer than " + maxLength + " characters");
    }
    if (!JWS.matcher(token).matches()) {
      return Outcome.rejected("malformed token (not a compact JWS)");
    }
    DecodedJWT unverified;
    try {
      unverified = JWT.decode(token);
    } catch (JWTDecodeException e) {
      return Outcome.rejected("malformed token (header or payload is not JSON)");
    }
    String alg = unverified.getAlgorithm();
    if (!SigningKeyRing.ALGORITHM.equals(alg)) {
      return Outcome.rejected("algorithm " + (alg != null && alg.matches("[A-Za-z0-9]{1,10}") ? alg : "(unreadable)")
          + " not accepted, only " + SigningKeyRing.ALGORITHM);
    }
    String kid = unverified.getKeyId();
    if (kid == null) {
      return Outcome.rejected("no kid header");
    }
    if (!KID.matcher(kid).matches()) {
      return Outcome.rejected("malformed kid header");
    }
    Optional<ECPublicKey> key = keys.verificationKey(kid);
    if (key.isEmpty()) {
      return Outcome.rejected("unknown signing key (kid)");
    }
    JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(Algorithm.ECDSA256(key.get(), null))
        .withIssuer(issuer)
        .withAudience(audience)
        .withClaimPresence("exp")
        .withClaimPresence("sub")
        .withClaimPresence("jti")
        .withClaimPresence("iat")
        .acceptLeeway(skew.toSeconds()))
        .build(clock);
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(unverified);
    } catch (TokenExpiredException e) {
      return Outcome.rejected("token expired");
    } catch (MissingClaimException e) {
      return Outcome.rejected("required claim " + safeClaim(e.getClaimName()) + " missing");
    } catch (IncorrectClaimException e) {
      String claim = safeClaim(e.getClaimName());
      return Outcome.rejected(switch (claim) {
        case "nbf" -> "token not valid yet (nbf)";
        case "iat" -> "token issued in the future (iat)";
        case "exp" -> "token expired";
        default -> "wrong " + claim;
      });
    } catch (AlgorithmMismatchException e) {
      return Outcome.rejected("algorithm not accepted");
    } catch (SignatureVerificationException e) {
      return Outcome.rejected("bad signature");
    } catch (JWTVerificationException e) {
      return Outcome.rejected("invalid token");
    }
    Claim rolesClaim = jwt.getClaim("roles");
    List<String> roles;
    try {
      roles = rolesClaim.isMissing() || rolesClaim.isNull() ? List.of() : rolesClaim.asList(String.class);
    } catch (JWTDecodeException e) {
      roles = null;
    }
    if (roles == null || roles.contains(null)) {
      return Outcome.rejected("roles claim is not a list of strings");
    }
    return new Outcome(new Claims(jwt.getSubject(), new LinkedHashSet<>(roles), jwt.getId(),
        jwt.getClaim("sid").asString(), jwt.getExpiresAtAsInstant()), null);
  }

  private static String safeClaim(String name) {
    return name != null && name.matches("[a-z]{1,10}") ? name : "claim";
  }
}
