package dev.sluice.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * What a login or refresh hands out: a short-lived access token (a JWT to send as {@code
 * Authorization: Bearer ...}) and an opaque refresh token that gets the next pair, once.
 *
 * <p>Immutable. {@link #toString()} never shows the tokens.
 *
 * @param accessToken never null
 * @param accessTokenExpiresAt never null
 * @param refreshToken never null; keep it secret, it is valid once
 * @param refreshTokenExpiresAt never null
 */
public record TokenPair(String accessToken, Instant accessTokenExpiresAt, String refreshToken,
    Instant refreshTokenExpiresAt) {
  /**
   * Checks the components.
   *
   * @param accessToken never null
   * @param accessTokenExpiresAt never null
   * @param refreshToken never null
   * @param refreshTokenExpiresAt never null
   * @throws NullPointerException when a component is null
   */
  public TokenPair {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
    Objects.requireNonNull(refreshToken, "refreshToken");
    Objects.requireNonNull(refreshTokenExpiresAt, "refreshTokenExpiresAt");
  }

  /**
   * The OAuth token type of the access token.
   *
   * @return always {@code Bearer}
   */
  public String tokenType() {
    return "Bearer";
  }

  @Override
  public String toString() {
    return "TokenPair{access token until " + accessTokenExpiresAt + ", refresh token until " + refreshTokenExpiresAt + "}";
  }
}
