package dev.sluice.auth;

import dev.sluice.store.RoleRecord;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A role: a name and the permissions it grants. The built-in roles ({@link BuiltInRoles}) and the
 * custom roles of the store ({@link dev.sluice.store.RoleStore}) are both described this way.
 *
 * <p>Immutable.
 *
 * @param name 1-64 letters, digits, {@code _}, {@code .} or {@code -}; never null
 * @param description never null (may be empty)
 * @param grants never null
 * @param builtIn whether it is one of {@link BuiltInRoles} (which can't be changed or deleted)
 */
public record RoleDefinition(String name, String description, Set<PermissionGrant> grants, boolean builtIn) {
  /**
   * Checks the name and description and copies the grants.
   *
   * @param name 1-64 letters, digits, {@code _}, {@code .} or {@code -}
   * @param description never null (may be empty)
   * @param grants never null
   * @param builtIn whether it is a built-in role
   * @throws IllegalArgumentException when {@code name} is malformed
   * @throws NullPointerException when {@code description} or {@code grants} is null
   */
  public RoleDefinition {
    checkName(name);
    Objects.requireNonNull(description, "description");
    grants = Set.copyOf(grants);
  }

  /**
   * A custom role.
   *
   * @param name its name; not a built-in role's
   * @param description never null (may be empty)
   * @param grants never null
   * @return the definition
   * @throws IllegalArgumentException when the name is malformed or a built-in role's
   */
  public static RoleDefinition custom(String name, String description, Set<PermissionGrant> grants) {
    if (BuiltInRoles.all().containsKey(name)) {
      throw new IllegalArgumentException("'" + name + "' is a built-in role; choose another name for a custom role");
    }
    return new RoleDefinition(name, description, grants, false);
  }

  /**
   * A built-in role's definition, with a description of what it may do.
   *
   * @param name one of {@link BuiltInRoles}
   * @return the definition
   * @throws IllegalArgumentException when it is not a built-in role
   */
  public static RoleDefinition builtIn(String name) {
    if (!BuiltInRoles.all().containsKey(name)) {
      throw new IllegalArgumentException("'" + name + "' is not a built-in role; they are " + BuiltInRoles.all().keySet());
    }
    Set<PermissionGrant> grants = BuiltInRoles.permissionsOf(name).stream()
        .sorted().map(PermissionGrant::of).collect(Collectors.toCollection(LinkedHashSet::new));
    String description = switch (name) {
      case BuiltInRoles.VIEWER -> "reads pipelines, runs, dead letters, checkpoints, plugins and metrics";
      case BuiltInRoles.OPERATOR -> "a viewer who also triggers and cancels runs, replays and purges dead letters,"
          + " resets checkpoints and reads secret names";
      case BuiltInRoles.ADMIN -> "may do everything, including managing pipelines, secrets, users and roles";
      default -> "";
    };
    return new RoleDefinition(name, description, grants, true);
  }

  /**
   * Checks a role name: 1-64 letters, digits, {@code _}, {@code .} or {@code -}.
   *
   * @param name the name; null is rejected
   * @return {@code name}
   * @throws IllegalArgumentException naming the rejected name
   */
  public static String checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("a role name is 1-64 letters, digits, '_', '.' or '-', got '" + name + "'");
    }
    return name;
  }

  /**
   * As a store keeps it: the grants in their text form.
   *
   * @param updatedAt when it was changed
   * @return the record
   */
  public RoleRecord toRecord(Instant updatedAt) {
    return new RoleRecord(name, description, grants.stream().map(PermissionGrant::toString)
        .collect(Collectors.toSet()), updatedAt);
  }

  /**
   * From a store's record, as a custom role.
   *
   * @param r the record
   * @return the definition
   * @throws IllegalArgumentException when a grant does not parse (naming the role and grant)
   */
  public static RoleDefinition fromRecord(RoleRecord r) {
    Set<PermissionGrant> grants = new LinkedHashSet<>();
    for (String g : r.grants()) {
      try {
        grants.add(PermissionGrant.parse(g));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("role '" + r.name() + "': " + e.getMessage(), e);
      }
    }
    return new RoleDefinition(r.name(), r.description(), grants, false);
  }
}
