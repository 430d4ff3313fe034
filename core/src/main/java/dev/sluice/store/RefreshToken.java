package dev.sluice.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A refresh token as a store keeps it: only a hash of the opaque token. Each refresh replaces the
 * token by a new one of the same family; a token presented again after it was used reveals a
 * theft, and the whole family is revoked.
 *
 * <p>Immutable.
 *
 * @param tokenHash hash of the token (lookup is by hash), never null
 * @param familyId the login session the token belongs to, never null
 * @param username whose token it is, never null
 * @param issuedAt never null
 * @param expiresAt never null
 * @param usedAt when it was exchanged for a new pair; null while unused
 * @param revokedAt when it (its family) was revoked; null while not revoked
 */
public record RefreshToken(
    String tokenHash,
    String familyId,
    String username,
    Instant issuedAt,
    Instant expiresAt,
    Instant usedAt,
    Instant revokedAt) {
  /**
   * Checks the required components.
   *
   * @param tokenHash hash of the token, never null
   * @param familyId never null
   * @param username never null
   * @param issuedAt never null
   * @param expiresAt never null
   * @param usedAt null while unused
   * @param revokedAt null while not revoked
   * @throws NullPointerException when a required component is null
   */
  public RefreshToken {
    Objects.requireNonNull(tokenHash, "tokenHash");
    Objects.requireNonNull(familyId, "familyId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** Never shows the hash. */
  @Override
  public String toString() {
    return "RefreshToken{family=" + familyId + ", user=" + username + ", expiresAt=" + expiresAt
        + ", used=" + (usedAt != null) + ", revoked=" + (revokedAt != null) + "}";
  }
}
