package dev.sluice.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.JsonValues;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of one plugin instance, with typed getters whose errors name the instance and the
 * option, e.g. {@code destination 'alerts' (type file): option 'batchSize' must be an integer
 * >= 1, got "ten"}.
 *
 * <p>Immutable and thread-safe: the options are deep-copied on construction.
 */
public final class PluginConfig {
  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private final String owner;
  private final ObjectNode options;

  /**
   * Options of one plugin instance; {@code options} is deep-copied.
   *
   * @param owner what these options configure, for messages: {@code "destination 'alerts' (type
   *     file)"}
   * @param options the options; {@code type} and keys the host consumes itself may be present
   */
  public PluginConfig(String owner, ObjectNode options) {
    this.owner = Objects.requireNonNull(owner, "owner");
    this.options = Objects.requireNonNull(options, "options").deepCopy();
  }

  /**
   * Options built from a map of plain Java values (strings, numbers, booleans, lists, maps).
   *
   * @param owner what these options configure, for messages
   * @param options the options; values are converted to JSON
   * @return the configuration
   */
  public static PluginConfig of(String owner, Map<String, ?> options) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    options.forEach((k, v) -> node.set(k, JsonValues.toNode(v)));
    return new PluginConfig(owner, node);
  }

  /**
   * What these options configure, as used in messages.
   *
   * @return e.g. {@code destination 'alerts' (type file)}
   */
  public String owner() {
    return owner;
  }

  /**
   * A copy of all options.
   *
   * @return a new object
   */
  public ObjectNode asObjectNode() {
    return options.deepCopy();
  }

  /**
   * Whether the option is present and not null.
   *
   * @param option the option's name
   * @return true when it has a value
   */
  public boolean has(String option) {
    JsonNode v = options.get(option);
    return v != null && !v.isNull();
  }

  /**
   * The raw option, or empty when absent or null.
   *
   * @param option the option's name
   * @return a copy of the value, or empty
   */
  public Optional<JsonNode> node(String option) {
    JsonNode v = options.get(option);
    return v == null || v.isNull() ? Optional.empty() : Optional.of(v.deepCopy());
  }

  /**
   * A required string option; numbers and booleans are taken as their text.
   *
   * @param option the option's name
   * @return the value
   * @throws PluginConfigException when the option is absent or not a scalar
   */
  public String string(String option) {
    return optionalString(option).orElseThrow(() -> missing(option, "a string"));
  }

  /**
   * A string option with a default; numbers and booleans are taken as their text.
   *
   * @param option the option's name
   * @param defaultValue the value when the option is absent or null (may be null)
   * @return the value, or {@code defaultValue}
   * @throws PluginConfigException when the option is not a scalar
   */
  public String string(String option, String defaultValue) {
    return optionalString(option).orElse(defaultValue);
  }

  /**
   * An optional string option; numbers and booleans are taken as their text.
   *
   * @param option the option's name
   * @return the value, or empty when absent or null
   * @throws PluginConfigException when the option is not a scalar
   */
  public Optional<String> optionalString(String option) {
    JsonNode v = options.get(option);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isValueNode() || v.isBinary()) {
      throw invalid(option, "a string", v);
    }
    return Optional.of(v.asText());
  }

  /**
   * A secret option (token, password, URL with credentials). Same as {@link #string(String)}, but
   * an error never shows the value.
   *
   * @param option the option's name
   * @return the value
   * @throws PluginConfigException when the option is absent or not a string (the message hides
   *     the value)
   */
  public String secret(String option) {
    JsonNode v = options.get(option);
    if (v == null || v.isNull()) {
      throw missing(option, "a secret string");
    }
    if (!v.isTextual()) {
      throw new PluginConfigException(
          owner + ": option '" + option + "' must be a string (value hidden: it is a secret)");
    }
    return v.asText();
  }

  /**
   * An integer option within bounds; an integer written as text is accepted.
   *
   * @param option the option's name
   * @param defaultValue the value when the option is absent or null (not checked against the
   *     bounds)
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return the value
   * @throws PluginConfigException when the value is not an integer in {@code [min, max]}
   */
  public long longValue(String option, long defaultValue, long min, long max) {
    JsonNode v = options.get(option);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    long value;
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      value = v.asLong();
    } else if (v.isTextual() && v.asText().trim().matches("-?\\d+")) {
      value = Long.parseLong(v.asText().trim());
    } else {
      throw invalid(option, "an integer between " + min + " and " + max, v);
    }
    if (value < min || value > max) {
      throw invalid(option, "an integer between " + min + " and " + max, v);
    }
    return value;
  }

  /**
   * An integer option within bounds; an integer written as text is accepted.
   *
   * @param option the option's name
   * @param defaultValue the value when the option is absent or null
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return the value
   * @throws PluginConfigException when the value is not an integer in {@code [min, max]}
   */
  public int intValue(String option, int defaultValue, int min, int max) {
    return (int) longValue(option, defaultValue, min, max);
  }

  /**
   * A number option; a number written as text is accepted.
   *
   * @param option the option's name
   * @param defaultValue the value when the option is absent or null
   * @return the value
   * @throws PluginConfigException when the value is not a number
   */
  public double doubleValue(String option, double defaultValue) {
    JsonNode v = options.get(option);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    try {
      return Double.parseDouble(v.asText().trim());
    } catch (NumberFormatException e) {
      throw invalid(option, "a number", v);
    }
  }

  /**
   * A boolean option; the text {@code true} or {@code false} (any case) is accepted.
   *
   * @param option the option's name
   * @param defaultValue the value when the option is absent or null
   * @return the value
   * @throws PluginConfigException when the value is not a boolean
   */
  public boolean bool(String option, boolean defaultValue) {
    JsonNode v = options.get(option);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isTextual()) {
      String s = v.asText().trim().toLowerCase(Locale.ROOT);
      if (s.equals("true") || s.equals("false")) {
        return Boolean.parseBoolean(s);
      }
    }
    throw invalid(option, "true or false", v);
  }

  /**
   * A duration written as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, ISO-8601
   * ({@code PT30S}) or a number of milliseconds.
   *
   * @param option the option's name
   * @param defaultValue the value when the option is absent or null (may be null)
   * @return the duration, not negative
   * @throws PluginConfigException when the value is not a duration or is negative
   */
  public Duration duration(String option, Duration defaultValue) {
    JsonNode v = options.get(option);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    Duration d = parseDuration(v);
    if (d == null || d.isNegative()) {
      throw invalid(option, "a duration such as 500ms, 30s, 5m, 2h or PT30S", v);
    }
    return d;
  }

  /**
   * A list of strings; a single string counts as a list of one.
   *
   * @param option the option's name
   * @return an unmodifiable list; empty when the option is absent or null
   * @throws PluginConfigException when the value is neither a string nor a list of scalars
   */
  public List<String> stringList(String option) {
    JsonNode v = options.get(option);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (v.isTextual()) {
      return List.of(v.asText());
    }
    if (!v.isArray()) {
      throw invalid(option, "a list of strings", v);
    }
    for (JsonNode item : v) {
      if (!item.isValueNode()) {
        throw invalid(option, "a list of strings", v);
      }
      out.add(item.asText());
    }
    return List.copyOf(out);
  }

  /**
   * One of the constants of {@code type}, matched case-insensitively, dashes as underscores.
   *
   * @param <E> the enum type
   * @param option the option's name
   * @param type the enum class
   * @param defaultValue the value when the option is absent or null
   * @return the constant
   * @throws PluginConfigException when no constant matches (the message lists them)
   */
  public <E extends Enum<E>> E enumValue(String option, Class<E> type, E defaultValue) {
    Optional<String> s = optionalString(option);
    if (s.isEmpty()) {
      return defaultValue;
    }
    String wanted = s.get().trim().replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(wanted)) {
        return constant;
      }
    }
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw invalid(option, "one of " + String.join(", ", names), options.get(option));
  }

  /**
   * The error to throw when a plugin finds an option value it can't use.
   *
   * @param option the option's name
   * @param expected what would be valid, e.g. {@code "a number"}
   * @param actual the value found; shown in the message, so never pass a secret
   * @return the exception, naming the owner and the option
   */
  public PluginConfigException invalid(String option, String expected, JsonNode actual) {
    return new PluginConfigException(
        owner + ": option '" + option + "' must be " + expected + ", got " + actual);
  }

  private PluginConfigException missing(String option, String expected) {
    return new PluginConfigException(
        owner + ": option '" + option + "' is required (" + expected + ")");
  }

  static Duration parseDuration(JsonNode v) {
    if (v.isIntegralNumber()) {
      return Duration.ofMillis(v.asLong());
    }
    if (!v.isTextual()) {
      return null;
    }
    String s = v.asText().trim();
    Matcher m = DURATION.matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofDays(n);
      }
    }
    try {
      return Duration.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    // Option values may be secrets: show names only.
    List<String> names = new ArrayList<>();
    options.fieldNames().forEachRemaining(names::add);
    return "PluginConfig{" + owner + ", options=" + names + "}";
  }
}
