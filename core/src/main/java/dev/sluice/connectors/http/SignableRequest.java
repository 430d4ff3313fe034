package dev.sluice.connectors.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request about to be sent, as a {@link RequestSigner} sees it.
 *
 * <p>Immutable: the headers are an unmodifiable copy (names as sent, looked up case-insensitively
 * through {@link #header}), and {@link #body()} returns a copy.
 *
 * @param method upper case, e.g. {@code GET}
 * @param uri the full URI including the query string, percent-encoded as it will be sent
 * @param headers every header the connector will send, authentication included
 * @param body the exact bytes of the body; empty when there is none
 */
public record SignableRequest(String method, URI uri, Map<String, List<String>> headers, byte[] body) {
  /**
   * Copies the headers and the body.
   *
   * @param method upper case, e.g. {@code GET}
   * @param uri the full URI including the query string, percent-encoded as it will be sent
   * @param headers every header the connector will send, authentication included
   * @param body the exact bytes of the body; null counts as empty
   */
  public SignableRequest {
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    headers = Collections.unmodifiableMap(copy);
    body = body == null ? new byte[0] : body.clone();
  }

  /**
   * The exact bytes of the body.
   *
   * @return a copy; empty when there is none
   */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /**
   * The first value of a header (case-insensitive name), or null.
   *
   * @param name the header name, any case
   * @return the value, or null when absent
   */
  public String header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /**
   * Header names in lower case, sorted: handy for canonical request strings.
   *
   * @return a new list
   */
  public List<String> headerNamesLowerCase() {
    List<String> out = new ArrayList<>();
    headers.keySet().forEach(k -> out.add(k.toLowerCase(Locale.ROOT)));
    Collections.sort(out);
    return out;
  }

  /** Never shows header values or the body: they may hold secrets. */
  @Override
  public String toString() {
    return method + " " + uri.getPath() + " (" + headers.size() + " headers, " + body.length + " bytes)";
  }
}
