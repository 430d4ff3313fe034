package dev.sluice.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the {@link AuditLog}: who did what to what, when, from where, and whether it
 * succeeded. Never holds a password, token, key or secret value.
 *
 * <p>Immutable.
 *
 * @param id assigned by the log, increasing; 0 before it is appended
 * @param at never null
 * @param actor who acted (a user name, API key owner, {@code cli}), or for a failed login the name
 *     given; never null
 * @param action what was done, e.g. {@code login}, {@code user.create}, {@code api-key.revoke},
 *     {@code secret.set}; never null
 * @param target what it was done to (a user, key id, role, secret name), or null
 * @param success whether it succeeded
 * @param clientAddress where the request came from, or null when unknown (CLI)
 * @param detail a short explanation, or null; never secret material
 */
public record AuditEvent(
    long id,
    Instant at,
    String actor,
    String action,
    String target,
    boolean success,
    String clientAddress,
    String detail) {
  /**
   * Checks the required components and clips long text (actor to 200 characters, action 100,
   * target 500, client address 100, detail 2000).
   *
   * @param id assigned by the log; 0 before it is appended
   * @param at never null
   * @param actor who acted, never null
   * @param action what was done, never null
   * @param target what it was done to, or null
   * @param success whether it succeeded
   * @param clientAddress where the request came from, or null
   * @param detail a short explanation, or null
   * @throws NullPointerException when a required component is null
   */
  public AuditEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    actor = clip(actor, 200);
    action = clip(action, 100);
    target = clip(target, 500);
    clientAddress = clip(clientAddress, 100);
    detail = clip(detail, 2000);
  }

  /**
   * A new event (id 0: the log assigns one).
   *
   * @param at never null
   * @param actor who acted, never null
   * @param action what was done, never null
   * @param target what it was done to, or null
   * @param success whether it succeeded
   * @param clientAddress where the request came from, or null
   * @param detail a short explanation, or null; never secret material
   * @return the event
   */
  public static AuditEvent of(Instant at, String actor, String action, String target, boolean success,
      String clientAddress, String detail) {
    return new AuditEvent(0, at, actor, action, target, success, clientAddress, detail);
  }

  /**
   * This event with the id the log assigned.
   *
   * @param newId the id
   * @return a copy with that id
   */
  public AuditEvent withId(long newId) {
    return new AuditEvent(newId, at, actor, action, target, success, clientAddress, detail);
  }

  private static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
