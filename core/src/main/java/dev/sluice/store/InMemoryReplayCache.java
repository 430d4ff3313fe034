package dev.sluice.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link ReplayCache} in this process's memory: {@link InMemoryStore}'s, and what webhooks use
 * when the store offers none (then each node remembers only its own deliveries).
 *
 * <p>Memory is bounded by the capacity of each scope. Thread-safe: one lock; a reservation costs
 * O(1) amortized plus the entries it finds expired.
 */
public final class InMemoryReplayCache implements ReplayCache {
  private record Entry(Instant expiresAt, Instant protectedUntil) {}

  // Each scope in insertion order, which is expiry order for a scope whose ttl doesn't change.
  private final Map<String, LinkedHashMap<String, Entry>> scopes = new HashMap<>();

  @Override
  public synchronized Reservation reserve(
      String scope, String key, Instant now, Instant expiresAt, Instant protectedUntil, int capacity) {
    Objects.requireNonNull(key, "key");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    LinkedHashMap<String, Entry> entries = scopes.computeIfAbsent(Objects.requireNonNull(scope, "scope"),
        s -> new LinkedHashMap<>());
    dropExpiredHead(entries, now);
    Entry existing = entries.get(key);
    if (existing != null && existing.expiresAt().isAfter(now)) {
      return Reservation.DUPLICATE;
    }
    entries.remove(key);
    if (entries.size() >= capacity) {
      entries.values().removeIf(e -> !e.expiresAt().isAfter(now) || !e.protectedUntil().isAfter(now));
      if (entries.size() >= capacity) {
        return Reservation.FULL;
      }
    }
    entries.put(key, new Entry(expiresAt, protectedUntil));
    return Reservation.RESERVED;
  }

  @Override
  public synchronized void release(String scope, String key) {
    Map<String, Entry> entries = scopes.get(scope);
    if (entries != null) {
      entries.remove(key);
    }
  }

  private static void dropExpiredHead(LinkedHashMap<String, Entry> entries, Instant now) {
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      if (it.next().expiresAt().isAfter(now)) {
        break;
      }
      it.remove();
    }
  }

  @Override
  public String toString() {
    return "InMemoryReplayCache";
  }
}
