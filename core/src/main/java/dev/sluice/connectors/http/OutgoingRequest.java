package dev.sluice.connectors.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request being prepared: method, URI, headers and body. Authentication and signing add to a
 * copy per attempt, so retries start from the same base.
 *
 * <p>Not thread-safe; one per attempt.
 */
final class OutgoingRequest {
  final String method;
  private URI uri;
  private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final byte[] body; // null: none

  OutgoingRequest(String method, URI uri, byte[] body) {
    this.method = method.toUpperCase(Locale.ROOT);
    this.uri = uri;
    this.body = body;
  }

  OutgoingRequest copy() {
    OutgoingRequest c = new OutgoingRequest(method, uri, body);
    headers.forEach((k, v) -> c.headers.put(k, new ArrayList<>(v)));
    return c;
  }

  /** The same headers and body, another target (a redirect, a next link). */
  OutgoingRequest withUri(URI target, String newMethod, boolean keepBody) {
    OutgoingRequest c = new OutgoingRequest(newMethod, target, keepBody ? body : null);
    headers.forEach((k, v) -> c.headers.put(k, new ArrayList<>(v)));
    if (!keepBody) {
      c.headers.remove("Content-Type");
    }
    return c;
  }

  URI uri() {
    return uri;
  }

  byte[] body() {
    return body;
  }

  Map<String, List<String>> headers() {
    return headers;
  }

  /**
   * Sets a header, replacing earlier values.
   *
   * @throws IllegalArgumentException when the value holds CR, LF or NUL (header injection)
   */
  void setHeader(String name, String value) {
    checkHeader(name, value);
    List<String> v = new ArrayList<>();
    v.add(value);
    headers.put(name, v);
  }

  static void checkHeader(String name, String value) {
    if (name == null || name.isEmpty() || !name.chars().allMatch(OutgoingRequest::isTokenChar)) {
      throw new IllegalArgumentException("invalid header name '" + name + "'");
    }
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("the value of header '" + name + "' contains a line break or NUL");
    }
  }

  private static boolean isTokenChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  String header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** Appends {@code name=value} to the query string, both percent-encoded. */
  void addQueryParameter(String name, String value) {
    uri = withQueryParameter(uri, name, value);
  }

  static URI withQueryParameter(URI uri, String name, String value) {
    String raw = uri.toString();
    int hash = raw.indexOf('#');
    String fragment = hash >= 0 ? raw.substring(hash) : "";
    String base = hash >= 0 ? raw.substring(0, hash) : raw;
    String sep = base.indexOf('?') < 0 ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
    return URI.create(base + sep + encode(name) + "=" + encode(value) + fragment);
  }

  /**
   * Percent-encodes everything but RFC 3986 unreserved characters, so that a value can't add a
   * path segment ({@code /}), a query parameter ({@code &}, {@code =}) or a fragment ({@code #}).
   */
  static String encode(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Scheme, host and port, e.g. {@code https://api.example.com:443}. */
  static String origin(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if (port < 0) {
      port = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }

  SignableRequest signable() {
    return new SignableRequest(method, uri, headers, body);
  }
}
