package dev.sluice.connectors.ga4.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.google.internal.GoogleCredentials;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated options of one {@code ga4} source. Immutable.
 *
 * @param property the numeric property id (without {@code properties/})
 * @param dimensions the requested dimensions; {@code date} is always among them (first unless the
 *     user placed it)
 * @param metrics the requested metrics, at least one
 * @param dimensionFilter a GA4 FilterExpression, or null
 * @param metricFilter a GA4 FilterExpression, or null
 * @param startDate the first day of the first read: {@code YYYY-MM-DD}, {@code today}, {@code
 *     yesterday} or {@code NdaysAgo}
 * @param endDate the last day of every read, same forms
 * @param lookbackDays days before the checkpoint that each incremental read reads again
 * @param incremental whether reads continue from the checkpoint
 */
public record Ga4Settings(
    URI endpoint,
    String property,
    List<String> dimensions,
    List<String> metrics,
    JsonNode dimensionFilter,
    JsonNode metricFilter,
    String startDate,
    String endDate,
    ZoneId timeZone,
    int lookbackDays,
    boolean incremental,
    int pageSize,
    String currencyCode,
    boolean keepEmptyRows,
    long minHourlyTokens,
    long minDailyTokens,
    int maxRetries,
    Duration maxRetryWait,
    Duration requestTimeout) {

  /** The most rows one runReport answer may carry (the API's documented maximum {@code limit}). */
  public static final int MAX_LIMIT = 250_000;

  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_:]*");
  private static final Pattern DAYS_AGO = Pattern.compile("(\\d{1,4})daysAgo");

  /** Reads and checks the options. */
  public static Ga4Settings from(PluginConfig c) {
    String property = c.string("property").trim();
    if (property.startsWith("properties/")) {
      property = property.substring("properties/".length());
    }
    if (!property.matches("\\d{1,20}")) {
      throw c.invalid("property", "a numeric GA4 property id such as 123456789 or properties/123456789 (Admin →"
          + " Property settings; not the G- measurement id)", c.node("property").orElse(null));
    }
    List<String> dims = new ArrayList<>(names(c, "dimensions"));
    if (!dims.contains("date")) {
      dims.add(0, "date");
    }
    if (dims.size() > 9) {
      throw c.invalid("dimensions", "at most 9 dimensions including date (the Data API's limit)",
          c.node("dimensions").orElse(null));
    }
    List<String> metrics = names(c, "metrics");
    if (metrics.isEmpty()) {
      throw c.invalid("metrics", "a list of at least one GA4 metric name such as sessions",
          c.node("metrics").orElse(null));
    }
    if (metrics.size() > 10) {
      throw c.invalid("metrics", "at most 10 metrics (the Data API's limit)", c.node("metrics").orElse(null));
    }
    for (String m : metrics) {
      if (dims.contains(m)) {
        throw c.invalid("metrics", "names distinct from the dimensions ('" + m + "' is both)", c.node("metrics").orElse(null));
      }
    }
    JsonNode dimensionFilter = object(c, "dimensionFilter");
    JsonNode metricFilter = object(c, "metricFilter");
    String start = c.string("startDate", "30daysAgo").trim();
    String end = c.string("endDate", "today").trim();
    ZoneId zone;
    try {
      zone = ZoneId.of(c.string("timeZone", "UTC").trim());
    } catch (RuntimeException e) {
      throw c.invalid("timeZone", "an IANA time zone such as Europe/Berlin (the GA4 property's time zone)",
          c.node("timeZone").orElse(null));
    }
    checkDate(c, "startDate", start);
    checkDate(c, "endDate", end);
    LocalDate today = LocalDate.of(2000, 1, 1);
    if (resolve(start, today).isAfter(resolve(end, today)) && !isRelative(start) && !isRelative(end)) {
      throw c.invalid("startDate", "a day on or before endDate " + end, c.node("startDate").orElse(null));
    }
    URI endpoint = GoogleCredentials.checkedUri(c, "option 'endpoint'",
        stripSlash(c.string("endpoint", "https://analyticsdata.googleapis.com")));
    String currency = c.optionalString("currencyCode").map(String::trim).orElse(null);
    if (currency != null && !currency.matches("[A-Z]{3}")) {
      throw c.invalid("currencyCode", "an ISO 4217 code such as EUR", c.node("currencyCode").orElse(null));
    }
    return new Ga4Settings(
        endpoint,
        property,
        List.copyOf(dims),
        metrics,
        dimensionFilter,
        metricFilter,
        start,
        end,
        zone,
        c.intValue("lookbackDays", 3, 0, 365),
        c.bool("incremental", true),
        c.intValue("pageSize", 10_000, 1, MAX_LIMIT),
        currency,
        c.bool("keepEmptyRows", false),
        c.longValue("minHourlyTokens", 1_000, 0, Long.MAX_VALUE),
        c.longValue("minDailyTokens", 1_000, 0, Long.MAX_VALUE),
        c.intValue("maxRetries", 5, 0, 50),
        c.duration("maxRetryWait", Duration.ofMinutes(65)),
        c.duration("requestTimeout", Duration.ofMinutes(2)));
  }

  private static String stripSlash(String s) {
    String t = s.trim();
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }

  private static List<String> names(PluginConfig c, String option) {
    List<String> out = new ArrayList<>();
    for (String s : c.stringList(option)) {
      String n = s.trim();
      if (!NAME.matcher(n).matches()) {
        throw c.invalid(option, "GA4 API names (letters, digits, _ and :, e.g. sessionDefaultChannelGroup or"
            + " customEvent:plan)", c.node(option).orElse(null));
      }
      if (out.contains(n)) {
        throw c.invalid(option, "names without repeats ('" + n + "' twice)", c.node(option).orElse(null));
      }
      out.add(n);
    }
    return List.copyOf(out);
  }

  private static JsonNode object(PluginConfig c, String option) {
    JsonNode n = c.node(option).orElse(null);
    if (n != null && !n.isObject()) {
      throw c.invalid(option, "a GA4 FilterExpression object (e.g. {filter: {fieldName: country, stringFilter:"
          + " {value: Germany}}})", n);
    }
    return n;
  }

  private static void checkDate(PluginConfig c, String option, String value) {
    try {
      resolve(value, LocalDate.of(2000, 1, 1));
    } catch (RuntimeException e) {
      throw c.invalid(option, "YYYY-MM-DD, today, yesterday or NdaysAgo", c.node(option).orElse(null));
    }
  }

  private static boolean isRelative(String value) {
    return value.equals("today") || value.equals("yesterday") || DAYS_AGO.matcher(value).matches();
  }

  /** Turns {@code YYYY-MM-DD}, {@code today}, {@code yesterday} or {@code NdaysAgo} into a day. */
  public static LocalDate resolve(String value, LocalDate today) {
    if (value.equals("today")) {
      return today;
    }
    if (value.equals("yesterday")) {
      return today.minusDays(1);
    }
    Matcher m = DAYS_AGO.matcher(value);
    if (m.matches()) {
      return today.minusDays(Long.parseLong(m.group(1)));
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new PluginConfigException("not a date: " + value);
    }
  }
}
