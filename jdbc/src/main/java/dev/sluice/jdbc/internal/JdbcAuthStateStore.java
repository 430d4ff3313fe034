package dev.sluice.jdbc.internal;

import dev.sluice.store.AuthStateStore;
import dev.sluice.store.LoginFailures;
import dev.sluice.store.RefreshToken;
import dev.sluice.store.SigningKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Signing keys in {@code sluice_signing_keys}, refresh tokens (hashed) in {@code
 * sluice_refresh_tokens}, failed-login counts in {@code sluice_login_failures}. Each call is one
 * statement; {@link #markRefreshTokenUsed} is a conditional update, so of two concurrent refreshes
 * with one token exactly one wins, also across processes. Thread-safe. Not API.
 */
public final class JdbcAuthStateStore implements AuthStateStore {
  private static final List<String> KEY_COLUMNS = List.of("kid", "algorithm", "public_key", "private_key",
      "created_at", "retired_at");
  private static final List<String> FAILURE_COLUMNS = List.of("subject", "failures", "first_failure_at", "locked_until");

  private final Jdbc jdbc;
  private final String upsertKey;
  private final String upsertFailures;

  public JdbcAuthStateStore(Jdbc jdbc) {
    this.jdbc = jdbc;
    Dialect d = jdbc.dialect();
    this.upsertKey = d.upsert("sluice_signing_keys", KEY_COLUMNS, KEY_COLUMNS.stream().map(c -> "?").toList(),
        List.of("kid"));
    this.upsertFailures = d.upsert("sluice_login_failures", FAILURE_COLUMNS,
        FAILURE_COLUMNS.stream().map(c -> "?").toList(), List.of("subject"));
  }

  @Override
  public void saveSigningKey(SigningKey k) {
    jdbc.update(() -> "save signing key '" + k.kid() + "'", upsertKey, k.kid(), k.algorithm(), k.publicKey(),
        k.privateKeyCiphertext(), k.createdAt(), k.retiredAt());
  }

  @Override
  public List<SigningKey> signingKeys() {
    return jdbc.query(() -> "list signing keys", "SELECT * FROM sluice_signing_keys", this::mapKey).stream()
        .sorted(Comparator.comparing(SigningKey::createdAt).thenComparing(SigningKey::kid))
        .toList();
  }

  @Override
  public boolean deleteSigningKey(String kid) {
    return jdbc.update(() -> "delete signing key '" + kid + "'", "DELETE FROM sluice_signing_keys WHERE kid = ?",
        kid) > 0;
  }

  @Override
  public void saveRefreshToken(RefreshToken t) {
    // Never put the hash in a message.
    jdbc.update(() -> "save a refresh token of user '" + t.username() + "'",
        "INSERT INTO sluice_refresh_tokens (token_hash, family_id, username, issued_at, expires_at, used_at,"
            + " revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        t.tokenHash(), t.familyId(), t.username(), t.issuedAt(), t.expiresAt(), t.usedAt(), t.revokedAt());
  }

  @Override
  public Optional<RefreshToken> findRefreshToken(String tokenHash) {
    return jdbc.queryOne(() -> "look up a refresh token by hash",
        "SELECT * FROM sluice_refresh_tokens WHERE token_hash = ?", this::mapToken, tokenHash);
  }

  @Override
  public boolean markRefreshTokenUsed(String tokenHash, Instant at) {
    return jdbc.update(() -> "mark a refresh token used",
        "UPDATE sluice_refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL",
        at, tokenHash) == 1;
  }

  @Override
  public int revokeRefreshTokenFamily(String familyId, Instant at) {
    return jdbc.update(() -> "revoke refresh-token family '" + familyId + "'",
        "UPDATE sluice_refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL", at, familyId);
  }

  @Override
  public int revokeRefreshTokensOf(String username, Instant at) {
    return jdbc.update(() -> "revoke the refresh tokens of user '" + username + "'",
        "UPDATE sluice_refresh_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL", at, username);
  }

  @Override
  public int purgeRefreshTokens(Instant before) {
    return jdbc.update(() -> "purge expired refresh tokens", "DELETE FROM sluice_refresh_tokens WHERE expires_at < ?",
        before);
  }

  @Override
  public Optional<LoginFailures> loginFailures(String subject) {
    return jdbc.queryOne(() -> "read failed logins of '" + subject + "'",
        "SELECT * FROM sluice_login_failures WHERE subject = ?", this::mapFailures, subject);
  }

  @Override
  public void saveLoginFailures(LoginFailures f) {
    jdbc.update(() -> "count failed logins of '" + f.subject() + "'", upsertFailures, f.subject(), f.failures(),
        f.firstFailureAt(), f.lockedUntil());
  }

  @Override
  public boolean clearLoginFailures(String subject) {
    return jdbc.update(() -> "clear failed logins of '" + subject + "'",
        "DELETE FROM sluice_login_failures WHERE subject = ?", subject) > 0;
  }

  @Override
  public List<LoginFailures> listLoginFailures() {
    return jdbc.query(() -> "list failed logins", "SELECT * FROM sluice_login_failures", this::mapFailures).stream()
        .sorted(Comparator.comparing(LoginFailures::subject))
        .toList();
  }

  private SigningKey mapKey(ResultSet rs) throws SQLException {
    Dialect d = jdbc.dialect();
    return new SigningKey(rs.getString("kid"), rs.getString("algorithm"), rs.getBytes("public_key"),
        rs.getBytes("private_key"), d.getInstant(rs, "created_at"), d.getInstant(rs, "retired_at"));
  }

  private RefreshToken mapToken(ResultSet rs) throws SQLException {
    Dialect d = jdbc.dialect();
    return new RefreshToken(rs.getString("token_hash"), rs.getString("family_id"), rs.getString("username"),
        d.getInstant(rs, "issued_at"), d.getInstant(rs, "expires_at"), d.getInstant(rs, "used_at"),
        d.getInstant(rs, "revoked_at"));
  }

  private LoginFailures mapFailures(ResultSet rs) throws SQLException {
    Dialect d = jdbc.dialect();
    return new LoginFailures(rs.getString("subject"), rs.getInt("failures"), d.getInstant(rs, "first_failure_at"),
        d.getInstant(rs, "locked_until"));
  }

  @Override
  public String toString() {
    return "JdbcAuthStateStore";
  }
}
