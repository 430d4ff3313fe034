package dev.sluice.store;

import java.time.Instant;
import java.util.List;

/**
 * Security-relevant events: logins (successful and failed), and changes to users, roles, API keys
 * and secrets. Append-only but for {@link #purge}.
 *
 * <p>Thread-safety: safe for concurrent use, also by several processes on one underlying store.
 */
public interface AuditLog {

  /** Appends an event; returns it with its assigned id. */
  AuditEvent append(AuditEvent event);

  /**
   * Events with an id below {@code beforeId} (all when it is {@code Long.MAX_VALUE}), newest
   * first, at most {@code limit}; page with the id of the last one returned.
   *
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  List<AuditEvent> list(long beforeId, int limit);

  /**
   * Deletes events older than {@code before}.
   *
   * @return how many were deleted
   */
  int purge(Instant before);
}
