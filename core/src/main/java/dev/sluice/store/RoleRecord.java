package dev.sluice.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A custom role as a store keeps it. The grants are text in the syntax of {@code
 * dev.sluice.auth.PermissionGrant} (e.g. {@code runs:trigger@orders-*}); stores keep them verbatim.
 *
 * <p>Immutable.
 *
 * @param name 1-200 characters, never null
 * @param description never null (may be empty)
 * @param grants never null
 * @param updatedAt never null
 */
public record RoleRecord(String name, String description, Set<String> grants, Instant updatedAt) {
  /**
   * Checks the components and copies the grants.
   *
   * @param name 1-200 characters
   * @param description never null (may be empty)
   * @param grants never null
   * @param updatedAt never null
   * @throws NullPointerException when a required component is null
   * @throws IllegalArgumentException when {@code name} is empty or too long
   */
  public RoleRecord {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > 200) {
      throw new IllegalArgumentException("a role name is 1-200 characters, got " + name.length());
    }
    Objects.requireNonNull(description, "description");
    grants = Set.copyOf(grants);
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
