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

  /**
   * The compiled form of {@code path}, from the cache or compiled now (and kept while the cache
   * holds fewer than {@link #MAX_ENTRIES} paths).
   *
   * @param path a JSONPath, e.g. {@code $.customer.country}
   * @return the compiled path, immutable
   * @throws IllegalArgumentException when {@code path} is not a valid JSONPath
   */
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

  /**
   * The number of paths kept.
   *
   * @return how many compiled paths the cache holds
   */
  public int size() {
    return paths.size();
  }
}
