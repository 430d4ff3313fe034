package dev.sluice.destinations.notify.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.samskivert.mustache.BasicCollector;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.sluice.record.Batch;
import dev.sluice.record.FieldPath;
import dev.sluice.record.Record;
import dev.sluice.spi.PluginConfigException;
import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compiled, logic-less Mustache template (jmustache) with the escaping of where its output goes.
 *
 * <p>No code runs from a template: sections, inverted sections and variables only, resolved in maps
 * and lists (no reflection: a template can't call a getter on a value). Constructs that
 * would let data or the file system in unescaped are refused when the template is compiled (at
 * configuration time): partials ({@code {{> name}}}), delimiter changes ({@code {{=<% %>=}}}), and,
 * wherever the output is escaped, unescaped variables ({@code {{{name}}}}, {@code {{& name}}}).
 * Errors name the option and the line.
 *
 * <p>Context of a per-record template: {@code record} (the payload), {@code key}, {@code source},
 * {@code observedAt}, {@code idempotencyKey}, {@code json} (the payload as JSON), {@code pipeline},
 * {@code run}, {@code destination}; of a digest: {@code records} (a list of the per-record contexts,
 * at most the digest limit), {@code count}, {@code shown}, {@code more}, {@code pipeline}, {@code
 * run}, {@code destination}. Helpers, used as sections: {@code {{#number}}{{record.amount}}{{/number}}}
 * (grouped digits, at most two decimals), {@code {{#date}}{{record.closedAt}}{{/date}}} (ISO-8601 or
 * epoch milliseconds to {@code yyyy-MM-dd HH:mm UTC}), {@code {{#jsonpath}}$.owner.email{{/jsonpath}}}
 * (a definite JSONPath into the record). Missing values render as nothing; {@code 0}, {@code false}
 * and empty strings and lists skip a section.
 *
 * <p>Immutable and thread-safe.
 */
public final class NotifyTemplate {
  private static final Pattern UNESCAPED = Pattern.compile("\\{\\{\\{|\\{\\{\\s*&");
  private static final Pattern PARTIAL_OR_DELIMITER = Pattern.compile("\\{\\{\\s*[>=<]");
  private static final Pattern PARSE_LINE = Pattern.compile("^(.*?)\\s*@ line (\\d+)\\s*$", Pattern.DOTALL);
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final String where;
  private final Template template;
  private final Escaping escaping;

  private NotifyTemplate(String where, Template template, Escaping escaping) {
    this.where = where;
    this.template = template;
    this.escaping = escaping;
  }

  /**
   * Compiles {@code source}.
   *
   * @param where the option, for messages: {@code destination 'alerts' (type slack): option 'text'}
   * @throws PluginConfigException naming {@code where} and the line when the template is invalid or
   *     uses a refused construct
   */
  public static NotifyTemplate compile(String where, String source, Escaping escaping) {
    Objects.requireNonNull(source, "source");
    refuse(where, source, PARTIAL_OR_DELIMITER, "partials ({{> name}}), comments starting with '<' and delimiter"
        + " changes ({{=…=}}) are not allowed in templates");
    if (escaping != Escaping.NONE) {
      refuse(where, source, UNESCAPED, "unescaped values ({{{name}}} or {{& name}}) are not allowed here: record"
          + " values are always escaped for " + (escaping == Escaping.HTML ? "HTML" : "Slack"));
    }
    try {
      Template t = Mustache.compiler()
          // Maps, lists and arrays only: no reflection, so {{record.name.class}} or {{key.bytes}} call nothing.
          .withCollector(new BasicCollector() {
            @Override
            public <K, V> Map<K, V> createFetcherCache() {
              return new ConcurrentHashMap<>();
            }
          })
          .withEscaper(escaping.escaper())
          .defaultValue("")
          .zeroIsFalse(true)
          .emptyStringIsFalse(true)
          .compile(source);
      return new NotifyTemplate(where, t, escaping);
    } catch (MustacheException e) {
      Matcher m = PARSE_LINE.matcher(String.valueOf(e.getMessage()));
      if (m.matches()) {
        throw new PluginConfigException(where + ", line " + m.group(2) + ": " + m.group(1));
      }
      throw new PluginConfigException(where + ": " + e.getMessage());
    }
  }

  private static void refuse(String where, String source, Pattern pattern, String why) {
    Matcher m = pattern.matcher(source);
    if (m.find()) {
      int line = 1;
      for (int i = 0; i < m.start(); i++) {
        if (source.charAt(i) == '\n') {
          line++;
        }
      }
      throw new PluginConfigException(where + ", line " + line + ": " + why);
    }
  }

  public Escaping escaping() {
    return escaping;
  }

  /**
   * Renders the template.
   *
   * @throws TemplateException naming the option when a helper fails (an invalid JSONPath)
   */
  public String render(Map<String, Object> context) {
    try {
      return template.execute(context);
    } catch (MustacheException | IllegalArgumentException e) {
      throw new TemplateException(where + ": " + e.getMessage(), e);
    }
  }

  /** The context of a per-record template. */
  public static Map<String, Object> recordContext(ObjectMapper mapper, Batch batch, int index, Escaping escaping) {
    Map<String, Object> c = itemContext(mapper, batch, index, escaping);
    addCommon(c, batch, escaping);
    return c;
  }

  /**
   * The context of a digest template.
   *
   * @param indexes the batch indexes the digest is about, in order
   * @param limit how many of them {@code records} lists
   */
  public static Map<String, Object> digestContext(ObjectMapper mapper, Batch batch, List<Integer> indexes, int limit,
      Escaping escaping) {
    Map<String, Object> c = new LinkedHashMap<>();
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < indexes.size() && i < limit; i++) {
      items.add(itemContext(mapper, batch, indexes.get(i), escaping));
    }
    c.put("records", items);
    c.put("count", indexes.size());
    c.put("shown", items.size());
    c.put("more", indexes.size() - items.size());
    c.put("jsonpath", (Mustache.Lambda) (frag, out) -> {
      throw new IllegalArgumentException("{{#jsonpath}} in a digest must be inside {{#records}}…{{/records}}");
    });
    addCommon(c, batch, escaping);
    return c;
  }

  private static Map<String, Object> itemContext(ObjectMapper mapper, Batch batch, int index, Escaping escaping) {
    Record r = batch.get(index);
    Map<String, Object> c = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, Object> data = mapper.convertValue(r.data(), Map.class);
    c.put("record", data);
    c.put("key", r.key());
    c.put("source", r.source());
    c.put("observedAt", r.observedAt() == null ? null : r.observedAt().toString());
    c.put("idempotencyKey", batch.idempotencyKey(index));
    try {
      c.put("json", mapper.writeValueAsString(r.data()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a record payload that Jackson can't write: " + e.getOriginalMessage(), e);
    }
    JsonNode node = r.data();
    c.put("jsonpath", (Mustache.Lambda) (frag, out) -> {
      String path = frag.decompile().trim();
      FieldPath p = FieldPath.parse(path.startsWith("$") ? path : "$." + path);
      JsonNode found = p.find(node);
      if (found == null || found.isNull() || found.isMissingNode()) {
        return;
      }
      out.write(escaping.escape(found.isValueNode() ? found.asText() : found.toString()));
    });
    return c;
  }

  private static void addCommon(Map<String, Object> c, Batch batch, Escaping escaping) {
    c.put("pipeline", batch.pipeline());
    c.put("run", batch.runId());
    c.put("destination", batch.destination());
    c.put("number", (Mustache.Lambda) (frag, out) -> {
      String inner = frag.execute();
      String formatted = formatNumber(inner.trim());
      out.write(formatted == null ? inner : escaping.escape(formatted));
    });
    c.put("date", (Mustache.Lambda) (frag, out) -> {
      String inner = frag.execute();
      String formatted = formatDate(inner.trim());
      out.write(formatted == null ? inner : escaping.escape(formatted));
    });
  }

  static String formatNumber(String text) {
    try {
      BigDecimal n = new BigDecimal(text);
      DecimalFormat f = new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.ROOT));
      return f.format(n);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String formatDate(String text) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      if (text.chars().allMatch(Character::isDigit) && text.length() <= 15) {
        return DATE_TIME.format(Instant.ofEpochMilli(Long.parseLong(text)));
      }
      if (text.length() == 10) {
        return LocalDate.parse(text).toString();
      }
      if (text.endsWith("Z")) {
        return DATE_TIME.format(Instant.parse(text));
      }
      return DATE_TIME.format(OffsetDateTime.parse(text));
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "NotifyTemplate{" + where + ", " + escaping + "}";
  }

  /** A template could not be rendered for a record; the record can't be delivered as configured. */
  public static final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
