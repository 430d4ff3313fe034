package dev.sluice.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What local authentication keeps beside users and API keys: the keys that sign access tokens,
 * refresh tokens (hashed) and counts of failed logins. Logic lives in {@code dev.sluice.auth}; this
 * interface only keeps data.
 *
 * <p>Thread-safety: safe for concurrent use, also by several processes on one underlying store.
 */
public interface AuthStateStore {

  // --- signing keys -----------------------------------------------------------------------

  /** Inserts or replaces the key with the same {@link SigningKey#kid()}. */
  void saveSigningKey(SigningKey key);

  /** All signing keys, oldest first (by creation time, then kid). */
  List<SigningKey> signingKeys();

  /** @return whether it existed */
  boolean deleteSigningKey(String kid);

  // --- refresh tokens ---------------------------------------------------------------------

  /**
   * Inserts a refresh token.
   *
   * @throws RuntimeException when a token with the same hash exists (never happens with random
   *     tokens)
   */
  void saveRefreshToken(RefreshToken token);

  Optional<RefreshToken> findRefreshToken(String tokenHash);

  /**
   * Marks a token used, atomically: only when it is neither used nor revoked yet. Of two
   * concurrent refreshes with the same token, exactly one gets {@code true}.
   *
   * @return whether this call marked it
   */
  boolean markRefreshTokenUsed(String tokenHash, Instant at);

  /**
   * Revokes every not yet revoked token of a family.
   *
   * @return how many tokens were revoked
   */
  int revokeRefreshTokenFamily(String familyId, Instant at);

  /**
   * Revokes every not yet revoked token of a user (all their sessions).
   *
   * @return how many tokens were revoked
   */
  int revokeRefreshTokensOf(String username, Instant at);

  /**
   * Deletes tokens that expired before {@code before}.
   *
   * @return how many were deleted
   */
  int purgeRefreshTokens(Instant before);

  // --- failed logins ----------------------------------------------------------------------

  Optional<LoginFailures> loginFailures(String subject);

  /** Inserts or replaces the count of the same subject. */
  void saveLoginFailures(LoginFailures failures);

  /** @return whether there was a count */
  boolean clearLoginFailures(String subject);

  /** Every count, by subject. */
  List<LoginFailures> listLoginFailures();
}
