package dev.sluice.connectors.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text meant for people: log lines, exception messages, {@code try-source}
 * output. It knows two kinds of secrets: values (a token, a password, a client secret), replaced
 * wherever they occur, also percent-encoded or as the Base64 of a basic-auth pair; and names of
 * query parameters whose value is always a secret ({@code api_key=...}), replaced whatever the
 * value is. User info in URLs ({@code https://user:pass@host}) is masked too.
 *
 * <p>Values shorter than {@value #MIN_LENGTH} characters are not masked by value (they would
 * butcher unrelated text); they are still masked by parameter name.
 *
 * <p>Tokens obtained at run time (OAuth access tokens) are remembered up to {@value
 * #MAX_DYNAMIC} at a time, the oldest forgotten first; configured secrets are always remembered.
 *
 * <p>Thread-safe.
 */
public final class Redactor {
  /** What a secret is replaced with. */
  public static final String MASK = "***";

  static final int MIN_LENGTH = 3;
  static final int MAX_DYNAMIC = 32;
  private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s?#]+@");

  private final Set<String> fixed = new LinkedHashSet<>(); // guarded by this
  private final Map<String, List<String>> dynamic = new LinkedHashMap<>(); // token -> forms; guarded by this; oldest first
  private final Set<String> parameterNames = new LinkedHashSet<>(); // lower case; guarded by this
  private volatile Snapshot snapshot = new Snapshot(List.of(), null);

  /** Query parameter names masked by default: the usual names of keys, tokens and signatures. */
  public static final List<String> DEFAULT_SECRET_PARAMETERS = List.of(
      "api_key", "apikey", "api-key", "key", "token", "access_token", "refresh_token", "id_token",
      "client_secret", "password", "passwd", "secret", "signature", "sig", "auth", "authorization",
      "x-api-key", "code");

  /** A redactor that masks the {@link #DEFAULT_SECRET_PARAMETERS}. */
  public Redactor() {
    addParameters(DEFAULT_SECRET_PARAMETERS);
  }

  /**
   * Masks {@code secret} from now on; null or blank values are ignored.
   *
   * @param secret the secret's value
   * @return this redactor
   */
  public Redactor addSecret(String secret) {
    add(secret, false);
    return this;
  }

  /**
   * Masks a token obtained at run time (an access token); only the latest {@value #MAX_DYNAMIC}
   * are remembered.
   *
   * @param secret the token's value; null or blank is ignored
   * @return this redactor
   */
  public Redactor addTemporarySecret(String secret) {
    add(secret, true);
    return this;
  }

  /**
   * Masks the value of every query parameter with one of these names (case-insensitive).
   *
   * @param names query parameter names
   * @return this redactor
   */
  public synchronized Redactor addParameters(Collection<String> names) {
    for (String n : names) {
      if (n != null && !n.isBlank()) {
        parameterNames.add(n.toLowerCase(Locale.ROOT));
      }
    }
    rebuild();
    return this;
  }

  private synchronized void add(String secret, boolean temporary) {
    if (secret == null || secret.isBlank()) {
      return;
    }
    boolean changed;
    if (temporary) {
      List<String> previous = dynamic.remove(secret); // re-added: now the newest
      dynamic.put(secret, previous != null ? previous : forms(secret));
      while (dynamic.size() > MAX_DYNAMIC) {
        dynamic.remove(dynamic.keySet().iterator().next());
      }
      changed = previous == null;
    } else {
      changed = fixed.addAll(forms(secret));
    }
    if (changed) { // every request registers its credentials: most calls change nothing
      rebuild();
    }
  }

  /** The value, its percent-encoded and its Base64 forms. */
  private static List<String> forms(String secret) {
    List<String> out = new ArrayList<>();
    out.add(secret);
    String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    if (!encoded.equals(secret)) {
      out.add(encoded);
      out.add(encoded.replace("+", "%20"));
    }
    out.add(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
    return out;
  }

  private void rebuild() {
    List<String> values = new ArrayList<>();
    for (String v : fixed) {
      if (v.length() >= MIN_LENGTH) {
        values.add(v);
      }
    }
    for (List<String> forms : dynamic.values()) {
      for (String v : forms) {
        if (v.length() >= MIN_LENGTH) {
          values.add(v);
        }
      }
    }
    values.sort(Comparator.comparingInt(String::length).reversed()); // longest first: no partial leftovers
    Pattern params = null;
    if (!parameterNames.isEmpty()) {
      StringBuilder alternatives = new StringBuilder();
      for (String name : parameterNames) {
        if (alternatives.length() > 0) {
          alternatives.append('|');
        }
        alternatives.append(Pattern.quote(name));
      }
      params = Pattern.compile("(?i)([?&;](?:" + alternatives + ")=)[^&#\\s\"'<>]*");
    }
    snapshot = new Snapshot(List.copyOf(values), params);
  }

  /**
   * {@code text} with every known secret replaced by {@value #MASK}; null stays null.
   *
   * @param text the text to mask, or null
   * @return the masked text
   */
  public String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Snapshot s = snapshot;
    String out = text;
    for (String v : s.values) {
      if (out.contains(v)) {
        out = out.replace(v, MASK);
      }
    }
    if (s.parameters != null) {
      out = s.parameters.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    }
    if (out.contains("@")) {
      out = USER_INFO.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
    }
    return out;
  }

  private record Snapshot(List<String> values, Pattern parameters) {}
}
