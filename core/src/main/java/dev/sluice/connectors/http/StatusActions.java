package dev.sluice.connectors.http;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the http connector does with each non-2xx status: {@code retry}, {@code fail} or {@code
 * ignore} (the request yields no records and its stream ends, e.g. a 404 for a deleted child).
 * Configured per status ({@code "404"}) or class ({@code "4xx"}); an exact status wins over its
 * class, a configured entry over the defaults (408, 429, 500, 502, 503, 504 retry; everything else
 * fails).
 *
 * <p>Immutable and thread-safe.
 */
final class StatusActions {
  enum Action {
    RETRY,
    FAIL,
    IGNORE
  }

  private final Map<Integer, Action> exact;
  private final Map<Integer, Action> byClass; // 4 -> 4xx

  private StatusActions(Map<Integer, Action> exact, Map<Integer, Action> byClass) {
    this.exact = Map.copyOf(exact);
    this.byClass = Map.copyOf(byClass);
  }

  static final StatusActions DEFAULTS = of(Map.of());

  /**
   * @param configured keys like {@code "404"} or {@code "5xx"}, values retry, fail or ignore
   * @throws IllegalArgumentException naming a bad key or value
   */
  static StatusActions of(Map<String, String> configured) {
    Map<Integer, Action> exact = new LinkedHashMap<>();
    Map<Integer, Action> byClass = new LinkedHashMap<>();
    for (int s : new int[] {408, 429, 500, 502, 503, 504}) {
      exact.put(s, Action.RETRY);
    }
    Map<Integer, Action> configuredExact = new LinkedHashMap<>();
    configured.forEach((key, value) -> {
      Action action;
      try {
        action = Action.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("onStatus '" + key + "' must be retry, fail or ignore, got '" + value + "'");
      }
      String k = key.trim().toLowerCase(Locale.ROOT);
      if (k.matches("[1-5]xx")) {
        int cls = k.charAt(0) - '0';
        if (cls < 3) {
          throw new IllegalArgumentException("onStatus '" + key + "': only 3xx, 4xx and 5xx statuses can be configured");
        }
        byClass.put(cls, action);
        // a configured class overrides the default exact entries of that class
        exact.keySet().removeIf(s -> s / 100 == cls && !configuredExact.containsKey(s));
      } else if (k.matches("[3-5]\\d\\d")) {
        configuredExact.put(Integer.parseInt(k), action);
      } else {
        throw new IllegalArgumentException("onStatus key must be a status such as 404 or a class such as 5xx"
            + " (3xx to 5xx), got '" + key + "'");
      }
    });
    exact.putAll(configuredExact);
    return new StatusActions(exact, byClass);
  }

  Action of(int status) {
    Action a = exact.get(status);
    if (a != null) {
      return a;
    }
    a = byClass.get(status / 100);
    return a != null ? a : Action.FAIL;
  }
}
