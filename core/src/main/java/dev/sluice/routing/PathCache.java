package dev.sluice.routing;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled paths by text, so that a path used by many rules is compiled once. One cache serves one
 * compilation (a Sluice instance), not the whole JVM. Bounded: beyond {@link #MAX_ENTRIES} paths
 * compile without being kept.
 *
 * <p>Thread-safe, lock-free reads ({@link ConcurrentHashMap}); no LRU bookkeeping on the read path,
 * unlike Jayway's global cache, which synchronizes every lookup.
 */
public final class PathCache {
  static final int MAX_ENTRIES = 10_000;

  private final ConcurrentHashMap<String, JsonPathExpression> paths = new ConcurrentHashMap<>();

  public JsonPathExpression get(String path) {
    JsonPathExpression cached = paths.get(path);
    if (cached != null) {
      return cached;
    }
    JsonPathExpression compiled = JsonPathExpression.compile(path);
    if (paths.size() < MAX_ENTRIES) {
      JsonPathExpression raced = paths.putIfAbsent(path, compiled);
      return raced != null ? raced : compiled;
    }
    return compiled;
  }

  public int size() {
    return paths.size();
  }
}
