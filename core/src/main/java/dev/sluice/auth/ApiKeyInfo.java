package dev.sluice.auth;

import dev.sluice.store.ApiKey;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An API key as {@link LocalAuth} shows it: everything but the key and its hash, safe to return
 * from an API.
 *
 * <p>Immutable.
 *
 * @param id identifies the key (to revoke it), never null
 * @param name what it is for, never null
 * @param owner who it acts for, never null
 * @param roles the roles it grants, never null
 * @param createdAt never null
 * @param expiresAt null when it never expires
 * @param revoked whether it was revoked
 * @param lastUsedAt when it last authenticated a request (to the minute); null when never
 */
public record ApiKeyInfo(String id, String name, String owner, Set<String> roles, Instant createdAt,
    Instant expiresAt, boolean revoked, Instant lastUsedAt) {
  /**
   * Checks the required components and copies the roles.
   *
   * @param id never null
   * @param name never null
   * @param owner never null
   * @param roles never null
   * @param createdAt never null
   * @param expiresAt null when it never expires
   * @param revoked whether it was revoked
   * @param lastUsedAt null when never used
   * @throws NullPointerException when a required component is null
   */
  public ApiKeyInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(owner, "owner");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  static ApiKeyInfo of(ApiKey k) {
    return new ApiKeyInfo(k.id(), k.name(), k.owner(), k.roles(), k.createdAt(), k.expiresAt(), k.revoked(),
        k.lastUsedAt());
  }

  /**
   * Whether it authenticates requests at {@code now}.
   *
   * @param now the current time
   * @return whether it is neither revoked nor expired at {@code now}
   */
  public boolean activeAt(Instant now) {
    return !revoked && (expiresAt == null || now.isBefore(expiresAt));
  }
}
