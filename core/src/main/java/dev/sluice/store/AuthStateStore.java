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

  /**
   * Inserts or replaces the key with the same {@link SigningKey#kid()}.
   *
   * @param key the key to keep, never null
   */
  void saveSigningKey(SigningKey key);

  /**
   * All signing keys, oldest first (by creation time, then kid).
   *
   * @return every key, never null
   */
  List<SigningKey> signingKeys();

  /**
   * Deletes the signing key with this kid.
   *
   * @param kid the key id
   * @return whether it existed
   */
  boolean deleteSigningKey(String kid);

  // --- refresh tokens ---------------------------------------------------------------------

  /**
   * Inserts a refresh token.
   *
   * @param token the token, with its hash only, never null
   * @throws RuntimeException when a token with the same hash exists (never happens with random
   *     tokens)
   */
  void saveRefreshToken(RefreshToken token);

  /**
   * The refresh token with this hash, whatever its state (used, revoked or expired).
   *
   * @param tokenHash the hash of the token, as in {@link RefreshToken#tokenHash()}
   * @return the token, or empty when none has this hash
   */
  Optional<RefreshToken> findRefreshToken(String tokenHash);

  /**
   * Marks a token used, atomically: only when it is neither used nor revoked yet. Of two
   * concurrent refreshes with the same token, exactly one gets {@code true}.
   *
   * @param tokenHash the hash of the token
   * @param at when it was used
   * @return whether this call marked it
   */
  boolean markRefreshTokenUsed(String tokenHash, Instant at);

  /**
   * Revokes every not yet revoked token of a family.
   *
   * @param familyId the family, as in {@link RefreshToken#familyId()}
   * @param at when they were revoked
   * @return how many tokens were revoked
   */
  int revokeRefreshTokenFamily(String familyId, Instant at);

  /**
   * Revokes every not yet revoked token of a user (all their sessions).
   *
   * @param username whose tokens
   * @param at when they were revoked
   * @return how many tokens were revoked
   */
  int revokeRefreshTokensOf(String username, Instant at);

  /**
   * Deletes tokens that expired before {@code before}.
   *
   * @param before the cut-off, exclusive
   * @return how many were deleted
   */
  int purgeRefreshTokens(Instant before);

  // --- failed logins ----------------------------------------------------------------------

  /**
   * The count of failed logins of a subject.
   *
   * @param subject as in {@link LoginFailures#subject()}
   * @return the count, or empty when there is none
   */
  Optional<LoginFailures> loginFailures(String subject);

  /**
   * Inserts or replaces the count of the same subject.
   *
   * @param failures the new count, never null
   */
  void saveLoginFailures(LoginFailures failures);

  /**
   * Forgets the count of a subject.
   *
   * @param subject as in {@link LoginFailures#subject()}
   * @return whether there was a count
   */
  boolean clearLoginFailures(String subject);

  /**
   * Every count, by subject.
   *
   * @return every count, never null
   */
  List<LoginFailures> listLoginFailures();
}
