package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A text with {@code {expressions}}, as the http connector's paths, query values, headers, body
 * strings and key templates are written. Grammar (documented in docs/user-guide/connectors.md):
 *
 * <pre>
 * template   = *( literal / "{{" / "}}" / "{" expression [ "|" default ] "}" )
 * expression = "now" *( ("+" / "-") 1*DIGIT unit ) [ "/" unit ] [ ":" format ]
 *            / "secret:" name
 *            / scope *( "." segment )
 * scope      = "params" / "checkpoint" / "partition" / "page" / "record" / "cursor"
 * unit       = "s" / "m" / "h" / "d" / "w" / "M" / "y"       ; M months, m minutes
 * format     = "iso" / "iso-offset" / "date" / "epoch" / "epoch-millis" / a DateTimeFormatter pattern
 * default    = literal text used when the expression has no value
 * </pre>
 *
 * {@code {{} and {@code }}} write a literal brace. Values are inserted through an encoder chosen by
 * where the template is used (percent-encoding in paths and query strings), so that a value can't
 * add path segments or query parameters.
 *
 * <p>Immutable and thread-safe.
 */
final class Template {
  static final Set<String> SCOPES = Set.of("params", "checkpoint", "partition", "page", "record", "cursor");
  private static final int MAX_LENGTH = 8192;

  private final String text;
  private final List<Object> parts; // String literals and Expr

  private Template(String text, List<Object> parts) {
    this.text = text;
    this.parts = parts;
  }

  /** The values a template can refer to during one rendering. */
  interface Vars {
    /** The value of {@code scope.path...}, or null when it has none. */
    JsonNode variable(String scope, List<String> path);

    /** The instant {@code now} stands for and the zone dates are computed in. */
    ZonedDateTime now();

    /** The plaintext of a stored secret; registers it for masking. */
    String secret(String name);
  }

  /**
   * A template can't be rendered: it refers to something that has no value and gives no default,
   * or a date falls outside the representable range.
   */
  static final class RenderException extends IllegalStateException {
    RenderException(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the position and what is wrong
   */
  static Template parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a template must not be null");
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a template is at most " + MAX_LENGTH + " characters, got " + text.length());
    }
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '{' && i + 1 < n && text.charAt(i + 1) == '{') {
        literal.append('{');
        i += 2;
      } else if (c == '}' && i + 1 < n && text.charAt(i + 1) == '}') {
        literal.append('}');
        i += 2;
      } else if (c == '}') {
        throw new IllegalArgumentException("'}' at position " + (i + 1) + " closes nothing (write }} for a literal brace) in '" + text + "'");
      } else if (c == '{') {
        int close = text.indexOf('}', i + 1);
        if (close < 0) {
          throw new IllegalArgumentException("'{' at position " + (i + 1) + " is not closed (write {{ for a literal brace) in '" + text + "'");
        }
        String inside = text.substring(i + 1, close);
        if (inside.indexOf('{') >= 0) {
          throw new IllegalArgumentException("'{' inside an expression at position " + (i + 1) + " in '" + text + "'");
        }
        if (literal.length() > 0) {
          parts.add(literal.toString());
          literal.setLength(0);
        }
        parts.add(Expr.parse(inside, i + 1, text));
        i = close + 1;
      } else {
        literal.append(c);
        i++;
      }
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    return new Template(text, List.copyOf(parts));
  }

  /** The template as written. */
  String text() {
    return text;
  }

  /** Whether it has no expression. */
  boolean isConstant() {
    return parts.stream().noneMatch(p -> p instanceof Expr);
  }

  /** Whether it is exactly one expression, so its value keeps its JSON type. */
  boolean isSingleExpression() {
    return parts.size() == 1 && parts.get(0) instanceof Expr;
  }

  /** The scopes and {@code scope.first} names it refers to, e.g. {@code page.cursor}, {@code now}. */
  Set<String> references() {
    Set<String> out = new LinkedHashSet<>();
    for (Object p : parts) {
      if (p instanceof Expr e) {
        out.add(e.reference());
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /**
   * Checks that every expression uses one of {@code allowed} scopes ({@code now} and {@code
   * secret} are always allowed).
   *
   * @throws IllegalArgumentException naming the expression
   */
  Template requireScopes(Set<String> allowed, String where) {
    for (Object p : parts) {
      if (p instanceof Var v && !allowed.contains(v.scope)) {
        throw new IllegalArgumentException(where + ": {" + v.source + "} can't be used here (allowed: "
            + String.join(", ", new java.util.TreeSet<>(allowed)) + ", now, secret:NAME)");
      }
    }
    return this;
  }

  /**
   * Renders, passing each inserted value (not the literal text) through {@code encoder}.
   *
   * @throws RenderException when an expression without default has no value
   */
  String render(Vars vars, UnaryOperator<String> encoder) {
    StringBuilder out = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof String s) {
        out.append(s);
      } else {
        Expr e = (Expr) p;
        JsonNode v = e.value(vars);
        String value;
        if (v == null) {
          if (e.defaultValue == null) {
            throw missing(e);
          }
          value = e.defaultValue;
        } else {
          value = asText(v);
        }
        out.append(encoder.apply(value));
      }
    }
    return out.toString();
  }

  /**
   * The value of a template: for a single expression its JSON value (a number stays a number), or
   * its default as text, or null when it has neither; otherwise the rendered text.
   */
  JsonNode renderValue(Vars vars) {
    if (isSingleExpression()) {
      Expr e = (Expr) parts.get(0);
      JsonNode v = e.value(vars);
      if (v != null) {
        return v;
      }
      return e.defaultValue == null ? null : JsonNodeFactory.instance.textNode(e.defaultValue);
    }
    return JsonNodeFactory.instance.textNode(render(vars, UnaryOperator.identity()));
  }

  private RenderException missing(Expr e) {
    return new RenderException("{" + e.source + "} has no value" + e.hint()
        + " (give a default: {" + e.source + "|VALUE})");
  }

  /** Text of a value: strings as they are, numbers in plain notation, other JSON as JSON. */
  static String asText(JsonNode v) {
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBigDecimal() || v.isDouble() || v.isFloat()) {
      return v.decimalValue().stripTrailingZeros().toPlainString();
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    return v.toString();
  }

  @Override
  public String toString() {
    return text;
  }

  // --- expressions ----------------------------------------------------------------------------

  private abstract static class Expr {
    final String source;
    final String defaultValue;

    Expr(String source, String defaultValue) {
      this.source = source;
      this.defaultValue = defaultValue;
    }

    abstract JsonNode value(Vars vars);

    abstract String reference();

    String hint() {
      return "";
    }

    static Expr parse(String inside, int position, String template) {
      String body = inside;
      String defaultValue = null;
      int bar = inside.indexOf('|');
      if (bar >= 0) {
        body = inside.substring(0, bar);
        defaultValue = inside.substring(bar + 1);
      }
      String name = body.strip();
      String where = " in expression {" + inside + "} at position " + position + " of '" + template + "'";
      if (name.isEmpty()) {
        throw new IllegalArgumentException("empty expression" + where);
      }
      if (name.equals("now") || name.startsWith("now+") || name.startsWith("now-") || name.startsWith("now/")
          || name.startsWith("now:")) {
        return Now.parse(inside, name, defaultValue, where);
      }
      if (name.startsWith("secret:")) {
        String secret = name.substring("secret:".length());
        if (!secret.matches("[A-Za-z0-9_.-]{1,128}")) {
          throw new IllegalArgumentException("a secret name is 1-128 letters, digits, '_', '.' or '-', got '"
              + secret + "'" + where);
        }
        return new Secret(inside, defaultValue, secret);
      }
      String[] steps = name.split("\\.", -1);
      if (!SCOPES.contains(steps[0])) {
        throw new IllegalArgumentException("unknown variable '" + steps[0] + "'" + where + " (known: now, secret:NAME, "
            + String.join(", ", new java.util.TreeSet<>(SCOPES)) + ")");
      }
      List<String> path = new ArrayList<>();
      for (int k = 1; k < steps.length; k++) {
        String s = steps[k];
        if (s.isEmpty() || !s.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_' || ch == '-' || ch == '$')) {
          throw new IllegalArgumentException("invalid name '" + s + "' after '" + String.join(".", List.of(steps).subList(0, k))
              + "'" + where + " (names are letters, digits, '_', '-' and '$')");
        }
        path.add(s);
      }
      if (steps[0].equals("cursor") && !path.isEmpty()) {
        throw new IllegalArgumentException("{cursor} has no fields" + where);
      }
      return new Var(inside, defaultValue, steps[0], List.copyOf(path));
    }
  }

  private static final class Var extends Expr {
    final String scope;
    final List<String> path;

    Var(String source, String defaultValue, String scope, List<String> path) {
      super(source, defaultValue);
      this.scope = scope;
      this.path = path;
    }

    @Override
    JsonNode value(Vars vars) {
      JsonNode v = vars.variable(scope, path);
      return v == null || v.isMissingNode() || v.isNull() ? null : v;
    }

    @Override
    String reference() {
      return path.isEmpty() ? scope : scope + "." + path.get(0);
    }

    @Override
    String hint() {
      switch (scope) {
        case "checkpoint":
          return ": there is no checkpoint yet, or it has no such field";
        case "cursor":
          return ": there is no checkpoint yet and incremental.start is not set";
        case "params":
          return ": the run was started without that parameter";
        default:
          return "";
      }
    }
  }

  private static final class Secret extends Expr {
    final String name;

    Secret(String source, String defaultValue, String name) {
      super(source, defaultValue);
      this.name = name;
    }

    @Override
    JsonNode value(Vars vars) {
      String v = vars.secret(name);
      return v == null ? null : JsonNodeFactory.instance.textNode(v);
    }

    @Override
    String reference() {
      return "secret";
    }

    @Override
    String hint() {
      return ": no secret has that name (set it with: sluice secret set " + name + ")";
    }
  }

  /** {@code now}, shifted, truncated and formatted. */
  static final class Now extends Expr {
    private final List<long[]> shifts; // {amount, unit index}
    private final ChronoUnit truncate; // null: none; WEEKS, MONTHS, YEARS handled by hand
    private final String format;
    private final DateTimeFormatter pattern;

    private Now(String source, String defaultValue, List<long[]> shifts, ChronoUnit truncate, String format,
        DateTimeFormatter pattern) {
      super(source, defaultValue);
      this.shifts = shifts;
      this.truncate = truncate;
      this.format = format;
      this.pattern = pattern;
    }

    static Now parse(String source, String name, String defaultValue, String where) {
      int i = 3;
      int n = name.length();
      List<long[]> shifts = new ArrayList<>();
      while (i < n && (name.charAt(i) == '+' || name.charAt(i) == '-')) {
        boolean minus = name.charAt(i) == '-';
        int start = ++i;
        while (i < n && Character.isDigit(name.charAt(i))) {
          i++;
        }
        if (start == i || i - start > 6) {
          throw new IllegalArgumentException("expected 1-6 digits after '" + (minus ? '-' : '+') + "'" + where);
        }
        long amount = Long.parseLong(name.substring(start, i));
        if (i >= n) {
          throw new IllegalArgumentException("expected a unit (s, m, h, d, w, M, y) after " + amount + where);
        }
        ChronoUnit unit = unit(name.charAt(i++), where);
        shifts.add(new long[] {minus ? -amount : amount, unit.ordinal()});
      }
      ChronoUnit truncate = null;
      if (i < n && name.charAt(i) == '/') {
        if (i + 1 >= n) {
          throw new IllegalArgumentException("expected a unit (s, m, h, d, w, M, y) after '/'" + where);
        }
        truncate = unit(name.charAt(i + 1), where);
        i += 2;
      }
      String format = null;
      DateTimeFormatter pattern = null;
      if (i < n && name.charAt(i) == ':') {
        format = name.substring(i + 1);
        i = n;
        if (format.isEmpty()) {
          throw new IllegalArgumentException("expected a format after ':'" + where);
        }
        if (!List.of("iso", "iso-offset", "date", "epoch", "epoch-millis").contains(format)) {
          try {
            pattern = DatePatterns.compile(format, null);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + where);
          }
        }
      }
      if (i != n) {
        throw new IllegalArgumentException("unexpected '" + name.substring(i) + "' after now" + where
            + " (write e.g. now-7d, now/d or now-1d:yyyy-MM-dd)");
      }
      return new Now(source, defaultValue, List.copyOf(shifts), truncate, format, pattern);
    }

    private static ChronoUnit unit(char c, String where) {
      switch (c) {
        case 's':
          return ChronoUnit.SECONDS;
        case 'm':
          return ChronoUnit.MINUTES;
        case 'h':
          return ChronoUnit.HOURS;
        case 'd':
          return ChronoUnit.DAYS;
        case 'w':
          return ChronoUnit.WEEKS;
        case 'M':
          return ChronoUnit.MONTHS;
        case 'y':
          return ChronoUnit.YEARS;
        default:
          throw new IllegalArgumentException("unknown time unit '" + c + "' (use s, m, h, d, w, M or y)" + where);
      }
    }

    @Override
    JsonNode value(Vars vars) {
      ZonedDateTime t = vars.now();
      try {
        for (long[] shift : shifts) {
          t = t.plus(shift[0], ChronoUnit.values()[(int) shift[1]]);
        }
        if (truncate != null) {
          t = truncate(t, truncate);
        }
        return JsonNodeFactory.instance.textNode(format(t));
      } catch (java.time.DateTimeException | ArithmeticException e) {
        throw new RenderException("{" + source + "} is out of range: " + e.getMessage());
      }
    }

    static ZonedDateTime truncate(ZonedDateTime t, ChronoUnit unit) {
      switch (unit) {
        case WEEKS:
          return t.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        case MONTHS:
          return t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        case YEARS:
          return t.truncatedTo(ChronoUnit.DAYS).withDayOfYear(1);
        default:
          return t.truncatedTo(unit);
      }
    }

    private String format(ZonedDateTime t) {
      if (pattern != null) {
        return pattern.format(t);
      }
      if (format == null || format.equals("iso")) {
        return DateTimeFormatter.ISO_INSTANT.format(t.toInstant());
      }
      switch (format) {
        case "iso-offset":
          return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
        case "date":
          return DateTimeFormatter.ISO_LOCAL_DATE.format(t);
        case "epoch":
          return Long.toString(t.toEpochSecond());
        default:
          return Long.toString(t.toInstant().toEpochMilli());
      }
    }

    @Override
    String reference() {
      return "now";
    }
  }
}
