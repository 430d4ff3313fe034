package dev.sluice.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An API key for machine clients. Only a hash of the key is stored; the key itself is shown once,
 * when it is created.
 *
 * @param id unique, never null
 * @param name what the key is for, never null
 * @param owner the user who created it, never null
 * @param keyHash hash of the key (lookup is by hash), never null
 * @param roles granted Sluice roles, never null
 * @param createdAt never null
 * @param expiresAt null when it never expires
 * @param revoked whether it was revoked
 * @param lastUsedAt when it last authenticated a request; null when never
 */
public record ApiKey(
    String id,
    String name,
    String owner,
    String keyHash,
    Set<String> roles,
    Instant createdAt,
    Instant expiresAt,
    boolean revoked,
    Instant lastUsedAt) {
  /**
   * Checks the required components and copies {@code roles}.
   *
   * @param id unique, never null
   * @param name what the key is for, never null
   * @param owner the user who created it, never null
   * @param keyHash hash of the key, never null
   * @param roles granted Sluice roles, never null
   * @param createdAt never null
   * @param expiresAt null when it never expires
   * @param revoked whether it was revoked
   * @param lastUsedAt when it last authenticated a request; null when never
   * @throws NullPointerException when a required component is null
   */
  public ApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(keyHash, "keyHash");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /**
   * A key never used yet ({@code lastUsedAt} null).
   *
   * @param id unique, never null
   * @param name what the key is for, never null
   * @param owner the user who created it, never null
   * @param keyHash hash of the key, never null
   * @param roles granted Sluice roles, never null
   * @param createdAt never null
   * @param expiresAt null when it never expires
   * @param revoked whether it was revoked
   */
  public ApiKey(String id, String name, String owner, String keyHash, Set<String> roles, Instant createdAt,
      Instant expiresAt, boolean revoked) {
    this(id, name, owner, keyHash, roles, createdAt, expiresAt, revoked, null);
  }

  /**
   * This key, revoked.
   *
   * @return a copy with {@code revoked} true
   */
  public ApiKey revokedKey() {
    return new ApiKey(id, name, owner, keyHash, roles, createdAt, expiresAt, true, lastUsedAt);
  }

  /**
   * This key, last used at {@code at}.
   *
   * @param at when it was used
   * @return a copy with {@code lastUsedAt} set
   */
  public ApiKey usedAt(Instant at) {
    return new ApiKey(id, name, owner, keyHash, roles, createdAt, expiresAt, revoked, at);
  }

  /** Never shows the hash. */
  @Override
  public String toString() {
    return "ApiKey{" + id + ", name=" + name + ", owner=" + owner + ", roles=" + roles
        + ", revoked=" + revoked + "}";
  }
}
