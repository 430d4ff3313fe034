package dev.sluice.auth;

import dev.sluice.store.UserAccount;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A local user as {@link LocalAuth} shows it: everything but the password hash, safe to return
 * from an API.
 *
 * <p>Immutable.
 *
 * @param username never null
 * @param roles never null
 * @param enabled whether the user may log in
 * @param createdAt never null
 * @param lockedUntil until when logins are refused after failed attempts; null when not locked
 */
public record UserInfo(String username, Set<String> roles, boolean enabled, Instant createdAt, Instant lockedUntil) {
  /**
   * Checks the required components and copies the roles.
   *
   * @param username never null
   * @param roles never null
   * @param enabled whether the user may log in
   * @param createdAt never null
   * @param lockedUntil null when not locked
   * @throws NullPointerException when a required component is null
   */
  public UserInfo {
    Objects.requireNonNull(username, "username");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  static UserInfo of(UserAccount a, Instant lockedUntil) {
    return new UserInfo(a.username(), a.roles(), a.enabled(), a.createdAt(), lockedUntil);
  }
}
