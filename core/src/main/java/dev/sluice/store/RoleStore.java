package dev.sluice.store;

import java.util.List;
import java.util.Optional;

/**
 * Custom roles (the built-in {@code viewer}, {@code operator} and {@code admin} are not stored).
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public interface RoleStore {

  /** Inserts or replaces the role with the same name. */
  void saveRole(RoleRecord role);

  Optional<RoleRecord> findRole(String name);

  /** All custom roles, by name. */
  List<RoleRecord> listRoles();

  /** @return whether it existed */
  boolean deleteRole(String name);
}
