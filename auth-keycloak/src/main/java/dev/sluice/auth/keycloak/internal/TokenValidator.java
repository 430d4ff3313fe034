package dev.sluice.auth.keycloak.internal;

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
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * Validates a JWT of one issuer, cheapest checks first: size (before any parsing), shape, {@code
 * alg} against the allow-list, {@code kid} syntax, unverified {@code iss} (so foreign tokens never
 * trigger key downloads), then the key, the signature (java-jwt) and the claims {@code iss}, {@code
 * aud}, {@code exp} (required), {@code nbf}, {@code iat} with the clock skew, and {@code azp}. The
 * {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} headers are never used: keys come only from
 * the issuer's JWKS.
 *
 * <p>Thread-safe and stateless apart from the shared {@link KeySource}.
 */
public final class TokenValidator {
  private static final Set<String> IGNORED_HEADERS = Set.of("jku", "x5u", "jwk", "x5c");

  private final String issuer;
  private final Set<String> allowedAlgorithms;
  private final Duration clockSkew;
  private final int maxTokenBytes;
  private final KeySource keys;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final Logger log;

  public TokenValidator(String issuer, Set<String> allowedAlgorithms, Duration clockSkew, int maxTokenBytes,
      KeySource keys, Clock clock, ObjectMapper mapper, Logger log) {
    this.issuer = issuer;
    this.allowedAlgorithms = Set.copyOf(allowedAlgorithms);
    this.clockSkew = clockSkew;
    this.maxTokenBytes = maxTokenBytes;
    this.keys = keys;
    this.clock = clock;
    this.mapper = mapper;
    this.log = log;
  }

  /** A validated token: the decoded JWT and its claims as JSON. */
  public record Valid(DecodedJWT jwt, JsonNode claims) {}

  /** True for three non-empty dot-separated parts of base64url characters (a JWS compact form). */
  public static boolean looksLikeJwt(String token) {
    int dots = 0;
    int partLength = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        if (partLength == 0) {
          return false;
        }
        dots++;
        partLength = 0;
      } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
        partLength++;
      } else {
        return false;
      }
    }
    // The signature part may not be empty either: unsigned tokens (alg none) end with a dot.
    return dots == 2 && partLength > 0;
  }

  /** Rejects a token over the size limit; call before anything reads the token. */
  public void checkSize(String token) throws Rejected {
    if (token.length() > maxTokenBytes) {
      throw new Rejected("token is larger than the limit of " + maxTokenBytes + " bytes");
    }
  }

  /** The unverified {@code iss} of a JWT, if it decodes; only to route tokens, never to trust them. */
  public static Optional<String> unverifiedIssuer(String token) {
    try {
      return Optional.ofNullable(JWT.decode(token).getIssuer());
    } catch (JWTDecodeException e) {
      return Optional.empty();
    }
  }

  /**
   * Validates {@code token}.
   *
   * @param audiences {@code aud} must contain one of these
   * @param authorizedParties when not empty, {@code azp} must be one of these
   * @param expectedTyp when not null, a Keycloak {@code typ} claim, if present, must equal it
   *     (case-insensitively): {@code Bearer} for access tokens, {@code ID} for ID tokens
   */
  public Valid validate(String token, Set<String> audiences, Set<String> authorizedParties, String expectedTyp)
      throws Rejected {
    checkSize(token);
    if (!looksLikeJwt(token)) {
      throw new Rejected("malformed token: not a signed JWT (three non-empty base64url parts)");
    }
    DecodedJWT jwt;
    try {
      jwt = JWT.decode(token);
    } catch (JWTDecodeException e) {
      throw new Rejected("malformed token: header or payload is not valid base64url JSON");
    }
    String alg = jwt.getAlgorithm();
    if (alg == null || !allowedAlgorithms.contains(alg)) {
      throw new Rejected("algorithm " + LogSafe.plain(alg) + " is not allowed (allowed: "
          + new TreeSet<>(allowedAlgorithms) + ")");
    }
    List<String> ignored = new ArrayList<>();
    for (String h : IGNORED_HEADERS) {
      if (jwt.getHeaderClaim(h) != null && !jwt.getHeaderClaim(h).isMissing()) {
        ignored.add(h);
      }
    }
    if (!ignored.isEmpty()) {
      log.debug("ignoring token header(s) {}: keys come only from the issuer's JWKS", new TreeSet<>(ignored));
    }
    if (!issuer.equals(jwt.getIssuer())) {
      throw new Rejected("wrong issuer: the token's iss is not " + issuer);
    }
    String kid = jwt.getKeyId();
    if (kid == null) {
      throw new Rejected("token names no key id (kid)");
    }
    if (!Jwk.plausibleKid(kid)) {
      throw new Rejected("key id (kid) is malformed: only letters, digits and _ . = + - are accepted");
    }
    Jwk key;
    try {
      key = keys.key(kid).orElseThrow(() -> new Rejected("unknown key id: " + kid + " is not among the signing keys of "
          + issuer));
    } catch (IOException e) {
      log.warn("cannot check bearer tokens of {}: {}", issuer, e.getMessage());
      throw new Rejected("signing keys of the issuer are unavailable");
    }
    Algorithm algorithm = key.algorithmFor(alg);
    if (algorithm == null) {
      throw new Rejected("key " + kid + " (" + key.kty() + (key.crv() == null ? "" : " " + key.crv())
          + (key.alg() == null ? "" : ", pinned to " + key.alg()) + ") cannot verify algorithm " + alg);
    }
    if (jwt.getExpiresAtAsInstant() == null) {
      throw new Rejected("token has no expiry (exp)");
    }
    // JWT.require returns the public BaseVerification, whose build(Clock) makes time injectable.
    JWTVerifier.BaseVerification verification = (JWTVerifier.BaseVerification) JWT.require(algorithm);
    verification.withIssuer(issuer)
        .withAnyOfAudience(audiences.toArray(String[]::new))
        .acceptLeeway(clockSkew.toSeconds());
    JWTVerifier verifier = verification.build(clock);
    try {
      verifier.verify(jwt);
    } catch (SignatureVerificationException e) {
      throw new Rejected("signature does not verify with key " + kid);
    } catch (AlgorithmMismatchException e) {
      throw new Rejected("algorithm does not match the key");
    } catch (TokenExpiredException e) {
      throw new Rejected("token expired at " + jwt.getExpiresAtAsInstant());
    } catch (MissingClaimException e) {
      throw new Rejected("aud".equals(e.getClaimName()) ? "wrong audience: the token has no aud"
          : "token lacks claim " + LogSafe.plain(e.getClaimName()));
    } catch (IncorrectClaimException e) {
      throw new Rejected(claimReason(e.getClaimName(), audiences));
    } catch (JWTVerificationException e) {
      throw new Rejected("token invalid: " + e.getClass().getSimpleName());
    }
    JsonNode claims = claims(jwt);
    if (!authorizedParties.isEmpty()) {
      String azp = claims.path("azp").asText(null);
      if (azp == null || !authorizedParties.contains(azp)) {
        throw new Rejected("authorized party (azp) " + LogSafe.plain(azp) + " is not one of " + authorizedParties);
      }
    }
    if (expectedTyp != null && claims.has("typ") && !expectedTyp.equalsIgnoreCase(claims.path("typ").asText())) {
      throw new Rejected("token type (typ) " + LogSafe.plain(claims.path("typ").asText()) + " is not " + expectedTyp);
    }
    return new Valid(jwt, claims);
  }

  private String claimReason(String claim, Set<String> audiences) {
    if (claim == null) {
      return "token claims invalid";
    }
    switch (claim) {
      case "nbf":
        return "token not valid yet (nbf in the future beyond the clock skew of " + clockSkew.toSeconds() + "s)";
      case "iat":
        return "token issued in the future (iat beyond the clock skew of " + clockSkew.toSeconds() + "s)";
      case "exp":
        return "token expired";
      case "iss":
        return "wrong issuer: the token's iss is not " + issuer;
      case "aud":
        return "wrong audience: aud contains none of " + new TreeSet<>(audiences);
      default:
        return "claim " + LogSafe.plain(claim) + " is invalid";
    }
  }

  private JsonNode claims(DecodedJWT jwt) throws Rejected {
    try {
      return mapper.readTree(new String(Base64.getUrlDecoder().decode(jwt.getPayload()), StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw new Rejected("malformed token payload");
    }
  }
}
