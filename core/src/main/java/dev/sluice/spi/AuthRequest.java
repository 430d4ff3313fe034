package dev.sluice.spi;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What an {@link Authenticator} sees of an incoming request: method, path and headers.
 *
 * <p>Header names are matched case-insensitively. Immutable and thread-safe.
 */
public final class AuthRequest {
  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;

  public AuthRequest(String method, String path, Map<String, List<String>> headers) {
    this.method = method;
    this.path = path;
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.headers = copy;
  }

  public String method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** The first value of a header, if present. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The token of an {@code Authorization: Bearer ...} header, if present. */
  public Optional<String> bearerToken() {
    return header("Authorization")
        .filter(h -> h.toLowerCase(Locale.ROOT).startsWith("bearer "))
        .map(h -> h.substring(7).trim());
  }
}
