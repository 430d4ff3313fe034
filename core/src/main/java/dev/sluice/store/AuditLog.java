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

  /**
   * Appends an event.
   *
   * @param event the event; its id is ignored
   * @return the event with its assigned id
   */
  AuditEvent append(AuditEvent event);

  /**
   * Events with an id below {@code beforeId} (all when it is {@code Long.MAX_VALUE}), newest
   * first, at most {@code limit}; page with the id of the last one returned.
   *
   * @param beforeId only ids below this; {@code Long.MAX_VALUE} for the newest
   * @param limit at most this many, at least 1
   * @return the events, never null
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  List<AuditEvent> list(long beforeId, int limit);

  /**
   * Deletes events older than {@code before}.
   *
   * @param before the cut-off, exclusive
   * @return how many were deleted
   */
  int purge(Instant before);
}
