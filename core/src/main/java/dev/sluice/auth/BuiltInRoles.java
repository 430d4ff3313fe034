package dev.sluice.auth;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The roles every Sluice installation has: {@code viewer} reads, {@code operator} also runs and
 * repairs pipelines, {@code admin} may do everything. Custom roles live in the store.
 */
public final class BuiltInRoles {
  /** Reads pipelines, runs, dead letters, checkpoints, plugins and metrics. */
  public static final String VIEWER = "viewer";
  /**
   * A viewer who also triggers and cancels runs, replays and purges dead letters, resets checkpoints
   * and lists secret names.
   */
  public static final String OPERATOR = "operator";
  /** Holds every {@link Permission}. */
  public static final String ADMIN = "admin";

  private static final Set<Permission> VIEWER_PERMISSIONS =
      Set.copyOf(
          EnumSet.of(
              Permission.PIPELINES_READ,
              Permission.RUNS_READ,
              Permission.DEAD_LETTERS_READ,
              Permission.CHECKPOINTS_READ,
              Permission.PLUGINS_READ,
              Permission.METRICS_READ));

  private static final Set<Permission> OPERATOR_PERMISSIONS;

  static {
    EnumSet<Permission> operator = EnumSet.copyOf(VIEWER_PERMISSIONS);
    operator.addAll(
        EnumSet.of(
            Permission.RUNS_TRIGGER,
            Permission.RUNS_CANCEL,
            Permission.DEAD_LETTERS_REPLAY,
            Permission.DEAD_LETTERS_PURGE,
            Permission.CHECKPOINTS_RESET,
            Permission.SECRETS_READ));
    OPERATOR_PERMISSIONS = Set.copyOf(operator);
  }

  private static final Map<String, Set<Permission>> ROLES =
      Map.of(
          VIEWER, VIEWER_PERMISSIONS,
          OPERATOR, OPERATOR_PERMISSIONS,
          ADMIN, Set.copyOf(EnumSet.allOf(Permission.class)));

  private BuiltInRoles() {}

  /**
   * The built-in roles.
   *
   * @return built-in role name → the permissions it grants; immutable
   */
  public static Map<String, Set<Permission>> all() {
    return ROLES;
  }

  /**
   * The permissions of a built-in role.
   *
   * @param role a role name
   * @return its permissions, or an empty set for any name but a built-in role's
   */
  public static Set<Permission> permissionsOf(String role) {
    return ROLES.getOrDefault(role, Set.of());
  }
}
