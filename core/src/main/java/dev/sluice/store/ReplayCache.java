package dev.sluice.store;

import java.time.Instant;

/**
 * Remembers which webhook deliveries were already accepted, so that a replayed request starts
 * nothing. Offered by a {@link Store} that can share it between all nodes on its data ({@link
 * Store#replayCache()}): in a cluster, a delivery accepted by one node is a replay on every other.
 *
 * <p>Entries live in scopes (one per webhook path) and are keyed by short strings the caller
 * derives from signed content (hashes, never raw payloads or secrets). Scopes and keys are at most
 * 200 characters.
 *
 * <p>Each scope holds at most {@code capacity} unexpired entries. When it is full, the cache may
 * forget entries whose {@code protectedUntil} has passed (the caller knows they no longer guard
 * anything: their timestamps are stale), never others; if there are none, the new delivery is
 * refused with {@link Reservation#FULL}. So a full cache never re-opens a replay window.
 *
 * <p>Implementations must be thread-safe, and {@link #reserve} must be atomic across every
 * instance on the same data: of two concurrent reservations of one key, exactly one wins. The
 * capacity may be exceeded slightly under concurrency (it bounds memory, not security).
 */
public interface ReplayCache {
  /** What {@link #reserve} did. */
  enum Reservation {
    /** The key was not remembered (or had expired) and is now, until its expiry. */
    RESERVED,
    /** The key is remembered and unexpired: a replay. */
    DUPLICATE,
    /** The scope is full of entries that may not be forgotten yet; nothing was remembered. */
    FULL
  }

  /**
   * Remembers {@code key} in {@code scope} until {@code expiresAt}, unless it is remembered and
   * unexpired already.
   *
   * @param scope the scope, e.g. the webhook path; 1-200 characters
   * @param key the delivery's key, derived from signed content; 1-200 characters
   * @param now the caller's clock; entries with an expiry at or before it count as absent
   * @param expiresAt when the entry may be dropped; after {@code now}
   * @param protectedUntil until when the entry must be kept even when the scope is full; at or
   *     before {@code expiresAt}
   * @param capacity the most unexpired entries the scope keeps; at least 1
   * @return what was done, never null
   * @throws RuntimeException when the underlying storage fails (the caller refuses the delivery)
   */
  Reservation reserve(String scope, String key, Instant now, Instant expiresAt, Instant protectedUntil, int capacity);

  /**
   * Forgets {@code key}, so that a retry of a delivery that was not processed (e.g. skipped by the
   * overlap policy) is accepted. Does nothing when it is not remembered.
   *
   * @param scope the scope the key was reserved in
   * @param key the key
   */
  void release(String scope, String key);
}
