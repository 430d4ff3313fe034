package dev.sluice.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A local user of the REST API.
 *
 * @param username unique, never null
 * @param passwordHash an encoded password hash (never the password), never null
 * @param roles granted Sluice roles, never null
 * @param enabled whether the user may log in
 * @param createdAt never null
 */
public record UserAccount(
    String username, String passwordHash, Set<String> roles, boolean enabled, Instant createdAt) {
  /**
   * Checks the required components and copies the roles.
   *
   * @param username never null
   * @param passwordHash an encoded hash, never null
   * @param roles never null
   * @param enabled whether the user may log in
   * @param createdAt never null
   * @throws NullPointerException when a required component is null
   */
  public UserAccount {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(passwordHash, "passwordHash");
    roles = Set.copyOf(roles);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Never shows the hash. */
  @Override
  public String toString() {
    return "UserAccount{" + username + ", roles=" + roles + ", enabled=" + enabled + "}";
  }
}
