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

  /**
   * A request; the headers are copied.
   *
   * @param method the HTTP method, e.g. {@code GET}
   * @param path the request path, possibly with its query
   * @param headers header name → values, never null
   * @throws NullPointerException when {@code headers} or one of its value lists is null
   */
  public AuthRequest(String method, String path, Map<String, List<String>> headers) {
    this.method = method;
    this.path = path;
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    this.headers = copy;
  }

  /**
   * The HTTP method.
   *
   * @return the method as given, e.g. {@code GET}
   */
  public String method() {
    return method;
  }

  /**
   * The request path as given; it may carry a query, so never log it whole.
   *
   * @return the path
   */
  public String path() {
    return path;
  }

  /**
   * The first value of a header, if present.
   *
   * @param name the header name, matched case-insensitively
   * @return its first value, or empty
   */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * The token of an {@code Authorization: Bearer ...} header, if present (scheme matched
   * case-insensitively).
   *
   * @return the token without surrounding blanks, or empty
   */
  public Optional<String> bearerToken() {
    return header("Authorization")
        .filter(h -> h.toLowerCase(Locale.ROOT).startsWith("bearer "))
        .map(h -> h.substring(7).trim());
  }
}
