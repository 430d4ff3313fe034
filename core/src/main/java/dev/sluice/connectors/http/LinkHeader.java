package dev.sluice.connectors.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses HTTP {@code Link} headers (RFC 8288, section 3): any number of header lines, each a
 * comma-separated list of {@code <URI-Reference>} followed by {@code ;}-separated parameters whose
 * values are tokens or quoted strings (with backslash escapes). Commas inside {@code <...>} and
 * inside quoted strings do not split links. {@code rel} may hold several space-separated relation
 * types ({@code rel="next last"}), compared case-insensitively; when a parameter occurs twice in one
 * link the first occurrence counts, as the RFC requires for {@code rel}.
 *
 * <p>Malformed link-values are skipped; parsing never throws on any input.
 *
 * <p>Stateless and thread-safe.
 */
public final class LinkHeader {
  private LinkHeader() {}

  /**
   * One link-value.
   *
   * @param target the URI reference as written between {@code <} and {@code >}, not resolved
   * @param parameters names in lower case, values unquoted; the first occurrence of each name
   */
  public record Link(String target, Map<String, String> parameters) {
    /**
     * Copies the parameters.
     *
     * @param target the URI reference as written between {@code <} and {@code >}, not resolved
     * @param parameters names in lower case, values unquoted; the first occurrence of each name
     */
    public Link {
      parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * The relation types of {@code rel}, lower case; empty when there is none.
     *
     * @return a new set, in the order written
     */
    public Set<String> rels() {
      String rel = parameters.get("rel");
      Set<String> out = new LinkedHashSet<>();
      if (rel != null) {
        for (String r : rel.trim().split("[ \\t]+")) {
          if (!r.isEmpty()) {
            out.add(r.toLowerCase(Locale.ROOT));
          }
        }
      }
      return out;
    }
  }

  /**
   * Every link in these header values, in order.
   *
   * @param headerValues the values of every {@code Link} header; null values are skipped
   * @return a new list; a malformed link-value ends parsing of its header value
   */
  public static List<Link> parse(List<String> headerValues) {
    List<Link> out = new ArrayList<>();
    if (headerValues != null) {
      for (String v : headerValues) {
        if (v != null) {
          new Parser(v).links(out);
        }
      }
    }
    return out;
  }

  /**
   * The target of the first link whose {@code rel} includes {@code rel} (case-insensitive).
   *
   * @param headerValues the values of every {@code Link} header
   * @param rel the relation type, e.g. {@code next}
   * @return the target as written (not resolved), or empty
   */
  public static Optional<String> find(List<String> headerValues, String rel) {
    String wanted = rel.toLowerCase(Locale.ROOT);
    for (Link link : parse(headerValues)) {
      if (link.rels().contains(wanted)) {
        return Optional.of(link.target());
      }
    }
    return Optional.empty();
  }

  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    void links(List<Link> out) {
      while (true) {
        skipWhitespaceAndCommas();
        if (i >= s.length()) {
          return;
        }
        Link link = link();
        if (link != null) {
          out.add(link);
        } else {
          skipToNextLink();
        }
      }
    }

    /** One link-value, or null (position somewhere inside it) when malformed. */
    private Link link() {
      if (s.charAt(i) != '<') {
        return null;
      }
      int close = s.indexOf('>', i + 1);
      if (close < 0) {
        i = s.length();
        return null;
      }
      String target = s.substring(i + 1, close).trim();
      i = close + 1;
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        skipWhitespace();
        if (i >= s.length() || s.charAt(i) == ',') {
          return new Link(target, params);
        }
        if (s.charAt(i) != ';') {
          return null;
        }
        i++;
        skipWhitespace();
        int start = i;
        while (i < s.length() && isTokenChar(s.charAt(i))) {
          i++;
        }
        if (start == i) {
          if (i >= s.length() || s.charAt(i) == ',') {
            return new Link(target, params); // a trailing ';' is tolerated
          }
          return null;
        }
        String name = s.substring(start, i).toLowerCase(Locale.ROOT);
        skipWhitespace();
        String value = "";
        if (i < s.length() && s.charAt(i) == '=') {
          i++;
          skipWhitespace();
          if (i < s.length() && s.charAt(i) == '"') {
            value = quoted();
            if (value == null) {
              return null;
            }
          } else {
            int vs = i;
            while (i < s.length() && isTokenChar(s.charAt(i))) {
              i++;
            }
            value = s.substring(vs, i);
          }
        }
        params.putIfAbsent(name, value);
      }
    }

    /** A quoted-string starting at the quote; null when unterminated. */
    private String quoted() {
      StringBuilder out = new StringBuilder();
      i++; // opening quote
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return out.toString();
        }
        if (c == '\\' && i < s.length()) {
          out.append(s.charAt(i++));
        } else {
          out.append(c);
        }
      }
      return null;
    }

    /** After a malformed link: to the next comma outside quotes and angle brackets. */
    private void skipToNextLink() {
      boolean inQuotes = false;
      boolean inAngle = false;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (inQuotes) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inQuotes = false;
          }
        } else if (inAngle) {
          if (c == '>') {
            inAngle = false;
          }
        } else if (c == '"') {
          inQuotes = true;
        } else if (c == '<') {
          inAngle = true;
        } else if (c == ',') {
          return;
        }
        i++;
      }
    }

    private void skipWhitespace() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    private void skipWhitespaceAndCommas() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
        i++;
      }
    }

    /** RFC 9110 tchar, plus '*' which covers rel*= style names. */
    private static boolean isTokenChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }
}
