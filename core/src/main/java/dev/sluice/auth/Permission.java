package dev.sluice.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a principal may do. Each REST route and CLI admin command declares exactly one
 * permission; roles grant sets of them (see {@link BuiltInRoles}).
 *
 * <p>The {@link #id()} (e.g. {@code runs:trigger}) is the stable name used in configuration,
 * the store, tokens and explanations.
 */
public enum Permission {
  PIPELINES_READ("pipelines:read"),
  PIPELINES_WRITE("pipelines:write"),
  RUNS_READ("runs:read"),
  RUNS_TRIGGER("runs:trigger"),
  RUNS_CANCEL("runs:cancel"),
  DEAD_LETTERS_READ("dead-letters:read"),
  DEAD_LETTERS_REPLAY("dead-letters:replay"),
  DEAD_LETTERS_PURGE("dead-letters:purge"),
  CHECKPOINTS_READ("checkpoints:read"),
  CHECKPOINTS_RESET("checkpoints:reset"),
  PLUGINS_READ("plugins:read"),
  SECRETS_READ("secrets:read"),
  SECRETS_WRITE("secrets:write"),
  USERS_ADMIN("users:admin"),
  AUDIT_READ("audit:read"),
  METRICS_READ("metrics:read");

  private final String id;

  Permission(String id) {
    this.id = id;
  }

  /** The stable name, e.g. {@code runs:trigger}. */
  public String id() {
    return id;
  }

  /** Whether a permission on this may be limited to some pipelines (runs, dead letters, ...). */
  public boolean pipelineScoped() {
    return switch (this) {
      case PIPELINES_READ, PIPELINES_WRITE, RUNS_READ, RUNS_TRIGGER, RUNS_CANCEL,
          DEAD_LETTERS_READ, DEAD_LETTERS_REPLAY, DEAD_LETTERS_PURGE, CHECKPOINTS_READ,
          CHECKPOINTS_RESET -> true;
      default -> false;
    };
  }

  /** The permission named {@code id} (case-insensitive), if there is one. */
  public static Optional<Permission> byId(String id) {
    if (id == null) {
      return Optional.empty();
    }
    String wanted = id.trim().toLowerCase(Locale.ROOT);
    for (Permission p : values()) {
      if (p.id.equals(wanted)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return id;
  }
}
