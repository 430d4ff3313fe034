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
 * O(1) amortized plus the entries it finds expired. A full scope forgets entries past their
 * protection from its oldest end, which is protection order while the protection window stays the
 * same; entries out of that order (the window changed) are looked for by a sweep of the whole
 * scope at most once a second, so a stream of deliveries to a full scope can't make every request
 * walk every entry.
 */
public final class InMemoryReplayCache implements ReplayCache {
  private record Entry(Instant expiresAt, Instant protectedUntil) {}

  /** One scope's entries in insertion order (expiry and protection order for a steady window). */
  private static final class Scope {
    final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    /** When a full sweep may run again. */
    Instant nextSweep = Instant.MIN;
  }

  private final Map<String, Scope> scopes = new HashMap<>();

  @Override
  public synchronized Reservation reserve(
      String scope, String key, Instant now, Instant expiresAt, Instant protectedUntil, int capacity) {
    Objects.requireNonNull(key, "key");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    Scope state = scopes.computeIfAbsent(Objects.requireNonNull(scope, "scope"), s -> new Scope());
    LinkedHashMap<String, Entry> entries = state.entries;
    dropExpiredHead(entries, now);
    Entry existing = entries.get(key);
    if (existing != null && existing.expiresAt().isAfter(now)) {
      return Reservation.DUPLICATE;
    }
    entries.remove(key);
    if (entries.size() >= capacity) {
      dropUnprotectedHead(entries, now);
      if (entries.size() >= capacity && !now.isBefore(state.nextSweep)) {
        entries.values().removeIf(e -> !e.expiresAt().isAfter(now) || !e.protectedUntil().isAfter(now));
        state.nextSweep = now.plusSeconds(1);
      }
      if (entries.size() >= capacity) {
        return Reservation.FULL;
      }
    }
    entries.put(key, new Entry(expiresAt, protectedUntil));
    return Reservation.RESERVED;
  }

  @Override
  public synchronized void release(String scope, String key) {
    Scope state = scopes.get(scope);
    if (state != null) {
      state.entries.remove(key);
    }
  }

  private static void dropUnprotectedHead(LinkedHashMap<String, Entry> entries, Instant now) {
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (e.expiresAt().isAfter(now) && e.protectedUntil().isAfter(now)) {
        break;
      }
      it.remove();
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
