package dev.sluice.connectors.bigquery.internal;

import dev.sluice.connectors.google.internal.GoogleCredentials;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The validated options of one {@code bigquery} source. Immutable.
 *
 * @param projectId the project that runs (and pays for) the query jobs; null means "the
 *     credentials' project", filled in by the provider
 * @param cursorColumn the column whose largest value becomes the checkpoint, or null (full reads)
 * @param cursorParameter the named query parameter ({@code @name}) fed from the checkpoint
 * @param maximumBytesBilled the cost guard, or null
 */
public record BigQuerySettings(
    URI endpoint,
    String projectId,
    String query,
    String location,
    String cursorColumn,
    String cursorParameter,
    CursorType cursorType,
    String cursorStart,
    boolean orderedByCursor,
    List<String> keyColumns,
    int pageSize,
    Duration pollTimeout,
    Duration maxJobWait,
    Long maximumBytesBilled,
    boolean dryRunFirst,
    int maxRetries,
    Duration maxRetryWait,
    Duration requestTimeout) {

  /** The BigQuery type of the cursor parameter. */
  public enum CursorType {
    TIMESTAMP("1970-01-01 00:00:00+00:00"),
    DATETIME("0001-01-01 00:00:00"),
    DATE("0001-01-01"),
    INT64("-9223372036854775808"),
    NUMERIC("-99999999999999999999999999999.999999999"),
    STRING("");

    final String lowest;

    CursorType(String lowest) {
      this.lowest = lowest;
    }
  }

  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** Reads and checks the options. */
  public static BigQuerySettings from(PluginConfig c) {
    String query = c.string("query");
    if (query.isBlank()) {
      throw c.invalid("query", "a GoogleSQL query", c.node("query").orElse(null));
    }
    String column = c.optionalString("cursorColumn").map(String::trim).orElse(null);
    String parameter = null;
    CursorType type = c.enumValue("cursorType", CursorType.class, CursorType.TIMESTAMP);
    String start = null;
    if (column != null) {
      if (!IDENT.matcher(column).matches()) {
        throw c.invalid("cursorColumn", "a column name of the query's result (letters, digits, _)", c.node("cursorColumn").orElse(null));
      }
      parameter = c.string("cursorParameter", column).trim();
      if (parameter.startsWith("@")) {
        parameter = parameter.substring(1);
      }
      if (!IDENT.matcher(parameter).matches()) {
        throw c.invalid("cursorParameter", "a query parameter name (letters, digits, _)", c.node("cursorParameter").orElse(null));
      }
      if (!Pattern.compile("@" + Pattern.quote(parameter) + "(?![A-Za-z0-9_])", Pattern.CASE_INSENSITIVE).matcher(query).find()) {
        throw new PluginConfigException(c.owner() + ": option 'query' must use the parameter @" + parameter
            + " to read only rows after the checkpoint, e.g. WHERE " + column + " > @" + parameter + " ORDER BY "
            + column + " (incremental reads pass the cursor as a named query parameter, never spliced into the SQL)");
      }
      start = c.string("cursorStart", type.lowest);
    } else if (c.has("cursorParameter") || c.has("cursorStart") || c.bool("orderedByCursor", false)) {
      throw new PluginConfigException(c.owner() + ": options 'cursorParameter', 'cursorStart' and 'orderedByCursor'"
          + " need option 'cursorColumn'");
    }
    List<String> keys = c.stringList("keyColumns");
    for (String k : keys) {
      if (!IDENT.matcher(k).matches()) {
        throw c.invalid("keyColumns", "column names (letters, digits, _)", c.node("keyColumns").orElse(null));
      }
    }
    String location = c.optionalString("location").map(String::trim).orElse(null);
    if (location != null && !location.matches("[A-Za-z0-9-]{2,40}")) {
      throw c.invalid("location", "a BigQuery location such as US, EU or europe-west3", c.node("location").orElse(null));
    }
    String project = c.optionalString("projectId").map(String::trim).orElse(null);
    if (project != null && !project.matches("[a-z][a-z0-9.:-]{3,100}")) {
      throw c.invalid("projectId", "a Google Cloud project id such as my-project-123", c.node("projectId").orElse(null));
    }
    Long maxBytes = c.has("maximumBytesBilled") ? c.longValue("maximumBytesBilled", 0, 1, Long.MAX_VALUE) : null;
    String endpoint = c.string("endpoint", "https://bigquery.googleapis.com").trim();
    while (endpoint.endsWith("/")) {
      endpoint = endpoint.substring(0, endpoint.length() - 1);
    }
    return new BigQuerySettings(
        GoogleCredentials.checkedUri(c, "option 'endpoint'", endpoint),
        project,
        query,
        location,
        column,
        parameter,
        type,
        start,
        c.bool("orderedByCursor", false),
        keys,
        c.intValue("pageSize", 10_000, 1, 1_000_000),
        c.duration("pollTimeout", Duration.ofSeconds(10)),
        c.duration("maxJobWait", Duration.ofHours(6)),
        maxBytes,
        c.bool("dryRunFirst", true),
        c.intValue("maxRetries", 6, 0, 50),
        c.duration("maxRetryWait", Duration.ofMinutes(5)),
        c.duration("requestTimeout", Duration.ofMinutes(2)));
  }

  /** This with the project id set. */
  public BigQuerySettings withProject(String project) {
    return new BigQuerySettings(endpoint, project, query, location, cursorColumn, cursorParameter, cursorType,
        cursorStart, orderedByCursor, keyColumns, pageSize, pollTimeout, maxJobWait, maximumBytesBilled, dryRunFirst,
        maxRetries, maxRetryWait, requestTimeout);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
