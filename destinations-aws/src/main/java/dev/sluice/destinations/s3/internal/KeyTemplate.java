package dev.sluice.destinations.s3.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.record.FieldPath;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An object-key template such as {@code {pipeline}/{date:yyyy/MM/dd}/{run}-{part}.{ext}}, parsed
 * and checked once, rendered per object.
 *
 * <p>Placeholders: {@code {pipeline}}, {@code {destination}}, {@code {run}}, {@code {part}} (the
 * object's first record's position in the run, zero-padded to 10 digits), {@code {ext}} ({@code
 * jsonl.gz}, {@code csv}, …), {@code {date}} / {@code {date:PATTERN}} (a {@link DateTimeFormatter}
 * pattern applied to the object's first record's observation time), and {@code {field:PATH}} (a
 * scalar of the record, e.g. {@code {field:country}} or {@code {field:customer.region}}).
 *
 * <p>The key can never leave the template's shape: every value that does not come from the
 * template itself (pipeline, destination, run, record fields) is percent-encoded so that it holds
 * only {@code A-Z a-z 0-9 - _ . %} and so stays inside its own path segment; a record value that
 * is empty, only dots ({@code .}, {@code ..}), not a scalar, missing or longer than {@value
 * #MAX_VALUE} characters is refused. The rendered key is checked again: no leading {@code /}, no
 * empty, {@code .} or {@code ..} segment, no control characters, at most 1024 UTF-8 bytes, and it
 * starts with the template's literal prefix.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyTemplate {
  /** Longest record value (after encoding) allowed in a key. */
  public static final int MAX_VALUE = 200;

  private static final Set<String> NAMES =
      Set.of("pipeline", "destination", "run", "part", "ext", "date", "field");
  private static final String SAFE_LITERAL =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/!-_.*'()=+,;@";

  private final String text;
  private final List<Piece> pieces;
  private final String literalPrefix;
  private final ZoneId zone;

  private sealed interface Piece permits Literal, Placeholder {}

  private record Literal(String text) implements Piece {}

  private record Placeholder(String name, String arg, DateTimeFormatter format, FieldPath path)
      implements Piece {}

  /** Values a key is rendered from. */
  public interface Values {
    String pipeline();

    String destination();

    String run();

    long position();

    String ext();

    Instant time();

    /** The record the {@code {field:…}} placeholders read; null for templates without them. */
    JsonNode record();
  }

  private KeyTemplate(String text, List<Piece> pieces, ZoneId zone) {
    this.text = text;
    this.pieces = List.copyOf(pieces);
    this.zone = zone;
    StringBuilder prefix = new StringBuilder();
    for (Piece p : pieces) {
      if (p instanceof Literal l) {
        prefix.append(l.text());
      } else {
        break;
      }
    }
    this.literalPrefix = prefix.toString();
  }

  /**
   * Parses and checks a template.
   *
   * @param option the option's name, for messages
   * @param required placeholders the template must contain
   * @param allowed placeholders it may contain
   * @throws IllegalArgumentException saying what is wrong and where
   */
  public static KeyTemplate parse(String option, String text, ZoneId zone, Set<String> required, Set<String> allowed) {
    Objects.requireNonNull(text, option);
    List<Piece> pieces = new ArrayList<>();
    int i = 0;
    StringBuilder literal = new StringBuilder();
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '{') {
        int end = text.indexOf('}', i);
        if (end < 0) {
          throw new IllegalArgumentException(option + " '" + text + "': unclosed '{' at position " + i);
        }
        if (literal.length() > 0) {
          pieces.add(new Literal(literal.toString()));
          literal.setLength(0);
        }
        String inside = text.substring(i + 1, end);
        int colon = inside.indexOf(':');
        String name = (colon < 0 ? inside : inside.substring(0, colon)).strip();
        String arg = colon < 0 ? null : inside.substring(colon + 1);
        if (!NAMES.contains(name) || !allowed.contains(name)) {
          throw new IllegalArgumentException(option + " '" + text + "': unknown placeholder {" + inside
              + "} at position " + i + "; allowed: " + allowed.stream().sorted().map(n -> "{" + n + "}").toList());
        }
        pieces.add(placeholder(option, text, name, arg, zone));
        i = end + 1;
      } else if (c == '}') {
        throw new IllegalArgumentException(option + " '" + text + "': '}' without '{' at position " + i);
      } else {
        if (SAFE_LITERAL.indexOf(c) < 0) {
          throw new IllegalArgumentException(option + " '" + text + "': character '" + printable(c)
              + "' at position " + i + " is not allowed in an object key template (use letters, digits and "
              + "/ ! - _ . * ' ( ) = + , ; @)");
        }
        literal.append(c);
        i++;
      }
    }
    if (literal.length() > 0) {
      pieces.add(new Literal(literal.toString()));
    }
    for (String r : required) {
      if (pieces.stream().noneMatch(p -> p instanceof Placeholder ph && ph.name().equals(r))) {
        throw new IllegalArgumentException(option + " '" + text + "' must contain {" + r
            + "} so that objects of different runs and parts never share a key");
      }
    }
    KeyTemplate t = new KeyTemplate(text, pieces, zone);
    if (t.literalPrefix.startsWith("/")) {
      throw new IllegalArgumentException(option + " '" + text + "' must not start with '/'");
    }
    // Render a sample to catch literal '..' segments, '//' and the like now rather than per record.
    String sample = t.renderUnchecked(new SampleValues());
    try {
      checkKey(sample, t.literalPrefix);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " '" + text + "': " + e.getMessage());
    }
    return t;
  }

  private static Placeholder placeholder(String option, String text, String name, String arg, ZoneId zone) {
    switch (name) {
      case "date": {
        String pattern = arg == null ? "yyyy-MM-dd" : arg;
        DateTimeFormatter f;
        try {
          f = DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(zone);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(option + " '" + text + "': {date:" + pattern
              + "} is not a date-time pattern: " + e.getMessage());
        }
        String sample = f.format(Instant.parse("2026-12-31T23:59:58.123Z"));
        for (char c : sample.toCharArray()) {
          if (!(Character.isLetterOrDigit(c) && c < 128) && "/-_.=".indexOf(c) < 0) {
            throw new IllegalArgumentException(option + " '" + text + "': {date:" + pattern + "} yields '"
                + sample + "'; a date in a key may hold only letters, digits and / - _ . =");
          }
        }
        return new Placeholder(name, pattern, f, null);
      }
      case "field": {
        if (arg == null || arg.isBlank()) {
          throw new IllegalArgumentException(option + " '" + text + "': {field:PATH} needs a field, e.g. {field:country}");
        }
        FieldPath path;
        try {
          path = FieldPath.parseDotted(arg);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(option + " '" + text + "': {field:" + arg + "}: " + e.getMessage());
        }
        return new Placeholder(name, arg, null, path);
      }
      default:
        if (arg != null) {
          throw new IllegalArgumentException(option + " '" + text + "': {" + name + "} takes no argument, got {"
              + name + ":" + arg + "}");
        }
        return new Placeholder(name, null, null, null);
    }
  }

  /** The template as written. */
  public String text() {
    return text;
  }

  /** The literal text before the first placeholder: every rendered key starts with it. */
  public String literalPrefix() {
    return literalPrefix;
  }

  /** Whether the template reads record fields ({@code {field:…}}). */
  public boolean readsRecords() {
    return pieces.stream().anyMatch(p -> p instanceof Placeholder ph && ph.name().equals("field"));
  }

  /** Whether the template contains the given placeholder. */
  public boolean uses(String name) {
    return pieces.stream().anyMatch(p -> p instanceof Placeholder ph && ph.name().equals(name));
  }

  /**
   * The key for these values.
   *
   * @throws RefusedValueException when a record value can't go into a key (the record is refused)
   * @throws IllegalArgumentException when the pipeline, destination or run name can't
   */
  public String render(Values v) {
    String key = renderUnchecked(v);
    checkKey(key, literalPrefix);
    return key;
  }

  private String renderUnchecked(Values v) {
    StringBuilder out = new StringBuilder();
    for (Piece p : pieces) {
      if (p instanceof Literal l) {
        out.append(l.text());
        continue;
      }
      Placeholder ph = (Placeholder) p;
      switch (ph.name()) {
        case "pipeline" -> out.append(segment("pipeline name", v.pipeline()));
        case "destination" -> out.append(segment("destination name", v.destination()));
        case "run" -> out.append(segment("run id", v.run()));
        case "part" -> out.append(String.format(Locale.ROOT, "%010d", v.position()));
        case "ext" -> out.append(v.ext());
        case "date" -> out.append(ph.format().format(v.time()));
        case "field" -> out.append(v instanceof SampleValues ? "value" : fieldValue(ph, v.record()));
        default -> throw new IllegalStateException(ph.name());
      }
    }
    return out.toString();
  }

  private static String fieldValue(Placeholder ph, JsonNode record) {
    JsonNode node = record == null ? null : ph.path().find(record);
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw new RefusedValueException("field '" + ph.arg() + "' (used in the object key) is missing or null");
    }
    if (!node.isValueNode() || node.isBinary()) {
      throw new RefusedValueException("field '" + ph.arg() + "' (used in the object key) must be a string, number"
          + " or boolean, got " + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    String encoded = encode(node.asText());
    if (encoded.isEmpty() || encoded.chars().allMatch(ch -> ch == '.')) {
      throw new RefusedValueException("field '" + ph.arg() + "' (used in the object key) is empty or only dots,"
          + " which would not name a path segment");
    }
    if (encoded.length() > MAX_VALUE) {
      throw new RefusedValueException("field '" + ph.arg() + "' (used in the object key) is longer than "
          + MAX_VALUE + " characters once percent-encoded");
    }
    return encoded;
  }

  private static String segment(String what, String value) {
    String encoded = encode(value);
    if (encoded.isEmpty() || encoded.chars().allMatch(ch -> ch == '.')) {
      throw new IllegalArgumentException("the " + what + " '" + value + "' can't be used in an object key");
    }
    return encoded;
  }

  /**
   * Percent-encodes every UTF-8 byte outside {@code A-Z a-z 0-9 - _ .}: the result contains no
   * {@code /}, no control character and no {@code %} that was not put there by this method.
   */
  public static String encode(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Checks a rendered key; throws {@link IllegalArgumentException} naming the problem. */
  static void checkKey(String key, String prefix) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("the object key is empty");
    }
    if (key.startsWith("/")) {
      throw new IllegalArgumentException("the object key '" + key + "' starts with '/'");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
      throw new IllegalArgumentException("the object key is longer than S3's 1024 bytes: " + key.substring(0, 80) + "…");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException("the object key contains the character U+"
            + String.format(Locale.ROOT, "%04X", (int) c) + " at position " + i);
      }
    }
    String[] segments = key.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.equals(".") || s.equals("..") || (s.isEmpty() && i < segments.length - 1)) {
        throw new IllegalArgumentException("the object key '" + key + "' has an empty, '.' or '..' path segment");
      }
    }
    if (segments[segments.length - 1].isEmpty()) {
      throw new IllegalArgumentException("the object key '" + key + "' ends with '/'");
    }
    if (!key.startsWith(prefix)) {
      throw new IllegalArgumentException("the object key '" + key + "' is outside the prefix '" + prefix + "'");
    }
  }

  private static String printable(char c) {
    return c < 0x20 || c == 0x7f ? String.format(Locale.ROOT, "U+%04X", (int) c) : String.valueOf(c);
  }

  @Override
  public String toString() {
    return text;
  }

  /** A record value that can't be part of an object key: the record is refused for good. */
  public static final class RefusedValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public RefusedValueException(String message) {
      super(message);
    }
  }

  private static final class SampleValues implements Values {
    @Override
    public String pipeline() {
      return "pipeline";
    }

    @Override
    public String destination() {
      return "destination";
    }

    @Override
    public String run() {
      return "run";
    }

    @Override
    public long position() {
      return 0;
    }

    @Override
    public String ext() {
      return "jsonl";
    }

    @Override
    public Instant time() {
      return Instant.parse("2026-01-02T03:04:05Z");
    }

    @Override
    public JsonNode record() {
      return null;
    }
  }
}
