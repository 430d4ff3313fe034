package dev.sluice.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One inbound HTTP request as the host's server received it: method, path, headers and the raw
 * body bytes, untouched (signatures are computed over exactly these bytes).
 *
 * <p>Immutable by contract: the body array is not copied, so the host must not change it after
 * handing it over. Header names are case-insensitive.
 */
public final class WebhookRequest {
  private final String method;
  private final String path;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  /**
   * A request; header names are looked up case-insensitively and the body is not copied.
   *
   * @param method e.g. {@code POST}
   * @param path the request path without query, e.g. {@code /hooks/github}
   * @param headers every header with its values, as the server gives them
   * @param body the raw body; empty when there is none
   */
  public WebhookRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {
    this.method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
    this.path = Objects.requireNonNull(path, "path");
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Objects.requireNonNull(headers, "headers").forEach((k, v) -> {
      if (k != null && v != null) {
        h.merge(k, List.copyOf(v), (a, b) -> {
          List<String> all = new ArrayList<>(a);
          all.addAll(b);
          return List.copyOf(all);
        });
      }
    });
    this.headers = h;
    this.body = Objects.requireNonNull(body, "body");
  }

  /**
   * A request with single-valued headers.
   * @param method e.g. {@code POST}
   * @param path the request path without query
   * @param headers one value per header name
   * @param body the raw body; empty when there is none
   * @return the request
   */
  public static WebhookRequest of(String method, String path, Map<String, String> headers, byte[] body) {
    TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> h.put(k, List.of(v)));
    return new WebhookRequest(method, path, h, body);
  }

  /**
   * The HTTP method.
   *
   * @return the method, upper case
   */
  public String method() {
    return method;
  }

  /**
   * The request path, without query.
   *
   * @return the path, never null
   */
  public String path() {
    return path;
  }

  /**
   * The first value of header {@code name} (case-insensitive), or null.
   *
   * @param name the header name, any case
   * @return the value, or null when the header is absent
   */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * The raw body; do not modify.
   *
   * @return the body, not copied; empty when there is none
   */
  public byte[] body() {
    return body;
  }
}
