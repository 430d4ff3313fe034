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
  /** Read pipeline, connector and destination definitions; validate and preview. */
  PIPELINES_READ("pipelines:read"),
  /** Create, change and delete stored pipeline definitions. */
  PIPELINES_WRITE("pipelines:write"),
  /** Read runs and their events. */
  RUNS_READ("runs:read"),
  /** Start a run. */
  RUNS_TRIGGER("runs:trigger"),
  /** Cancel a run. */
  RUNS_CANCEL("runs:cancel"),
  /** Read dead letters. */
  DEAD_LETTERS_READ("dead-letters:read"),
  /** Replay dead letters. */
  DEAD_LETTERS_REPLAY("dead-letters:replay"),
  /** Delete dead letters. */
  DEAD_LETTERS_PURGE("dead-letters:purge"),
  /** Read a pipeline's checkpoint. */
  CHECKPOINTS_READ("checkpoints:read"),
  /** Reset a pipeline's checkpoint. */
  CHECKPOINTS_RESET("checkpoints:reset"),
  /** List installed plugins. */
  PLUGINS_READ("plugins:read"),
  /** List secret names (never their values). */
  SECRETS_READ("secrets:read"),
  /** Set and delete secrets. */
  SECRETS_WRITE("secrets:write"),
  /** Manage local users, API keys and roles. */
  USERS_ADMIN("users:admin"),
  /** Read the audit log. */
  AUDIT_READ("audit:read"),
  /** Read metrics. */
  METRICS_READ("metrics:read");

  private final String id;

  Permission(String id) {
    this.id = id;
  }

  /**
   * The stable name.
   *
   * @return the id, e.g. {@code runs:trigger}
   */
  public String id() {
    return id;
  }

  /**
   * Whether a grant of this permission may be limited to some pipelines (runs, dead letters, ...).
   *
   * @return whether it concerns pipelines
   */
  public boolean pipelineScoped() {
    return switch (this) {
      case PIPELINES_READ, PIPELINES_WRITE, RUNS_READ, RUNS_TRIGGER, RUNS_CANCEL,
          DEAD_LETTERS_READ, DEAD_LETTERS_REPLAY, DEAD_LETTERS_PURGE, CHECKPOINTS_READ,
          CHECKPOINTS_RESET -> true;
      default -> false;
    };
  }

  /**
   * The permission named {@code id} (case-insensitive, surrounding blanks ignored).
   *
   * @param id e.g. {@code runs:trigger}; may be null
   * @return the permission, or empty when none has that id
   */
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
