package dev.sluice.store;

import java.util.List;
import java.util.Optional;

/**
 * Custom roles (the built-in {@code viewer}, {@code operator} and {@code admin} are not stored).
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public interface RoleStore {

  /**
   * Inserts or replaces the role with the same name.
   *
   * @param role the role, never null
   */
  void saveRole(RoleRecord role);

  /**
   * The custom role with this name.
   *
   * @param name its name
   * @return the role, or empty when there is none (built-in roles are not stored)
   */
  Optional<RoleRecord> findRole(String name);

  /**
   * All custom roles, by name.
   *
   * @return the roles, never null
   */
  List<RoleRecord> listRoles();

  /**
   * Deletes a custom role.
   *
   * @param name its name
   * @return whether it existed
   */
  boolean deleteRole(String name);
}
