package dev.sluice.schedule;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers delivery ids for a while, to refuse replays. Memory is bounded twice: ids are kept as
 * fixed-size hashes, at most {@code capacity} of them, and each for at most {@code ttl}; when full,
 * the oldest is forgotten first.
 *
 * <p>Thread-safe (synchronized; each call is O(1) amortized).
 */
final class ReplayGuard {
  private final Duration ttl;
  private final int capacity;
  private final Clock clock;
  private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

  ReplayGuard(Duration ttl, int capacity, Clock clock) {
    this.ttl = ttl;
    this.capacity = capacity;
    this.clock = clock;
  }

  /** Records {@code id}; false when it was already recorded within the ttl (a replay). */
  synchronized boolean reserve(String id) {
    Instant now = clock.instant();
    expire(now);
    String key = hash(id);
    if (seen.containsKey(key)) {
      return false;
    }
    if (seen.size() >= capacity) {
      Iterator<String> eldest = seen.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    seen.put(key, now);
    return true;
  }

  /** Forgets {@code id}, so that a retry of a delivery that was not processed is accepted. */
  synchronized void release(String id) {
    seen.remove(hash(id));
  }

  synchronized int size() {
    return seen.size();
  }

  private void expire(Instant now) {
    Instant limit = now.minus(ttl);
    Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
    while (it.hasNext()) {
      if (it.next().getValue().isAfter(limit)) {
        break; // insertion order is time order
      }
      it.remove();
    }
  }

  private static String hash(String id) {
    try {
      return Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
