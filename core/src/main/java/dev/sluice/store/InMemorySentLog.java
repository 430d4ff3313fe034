package dev.sluice.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link SentLog} in this process's memory: {@link InMemoryStore}'s. Entries are lost with the
 * process, so it protects against retries and replays within one process, not across a restart
 * (use the JDBC store for that).
 *
 * <p>Thread-safe (a concurrent map per scope).
 */
public final class InMemorySentLog implements SentLog {
  private final Map<String, Map<String, Instant>> scopes = new ConcurrentHashMap<>();

  @Override
  public boolean contains(String scope, String key) {
    Map<String, Instant> entries = scopes.get(SentLog.checkArgument(scope, "scope"));
    return entries != null && entries.containsKey(SentLog.checkArgument(key, "key"));
  }

  @Override
  public void record(String scope, String key, Instant expiresAt) {
    Objects.requireNonNull(expiresAt, "expiresAt");
    scopes.computeIfAbsent(SentLog.checkArgument(scope, "scope"), s -> new ConcurrentHashMap<>())
        .merge(SentLog.checkArgument(key, "key"), expiresAt, (a, b) -> a.isAfter(b) ? a : b);
  }

  @Override
  public int purgeExpired(Instant now) {
    Objects.requireNonNull(now, "now");
    int removed = 0;
    for (Map<String, Instant> entries : scopes.values()) {
      for (Map.Entry<String, Instant> e : entries.entrySet()) {
        if (!e.getValue().isAfter(now) && entries.remove(e.getKey(), e.getValue())) {
          removed++;
        }
      }
    }
    return removed;
  }

  @Override
  public String toString() {
    return "InMemorySentLog";
  }
}
