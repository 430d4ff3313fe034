package dev.sluice.connectors.ga4;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.ga4.internal.Ga4Connector;
import dev.sluice.connectors.ga4.internal.Ga4Settings;
import dev.sluice.connectors.google.internal.GoogleCredentials;
import dev.sluice.delivery.Sleeper;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The {@code ga4} connector type: Google Analytics 4 reports (Data API v1beta {@code runReport}) as
 * records, one per report row, keyed by property, date and dimension values, incremental by date
 * with a lookback window, quota-aware.
 *
 * <pre>{@code
 * source:
 *   type: ga4
 *   property: "123456789"
 *   credentialsJson: ${secret:ga4_service_account}
 *   dimensions: [sessionDefaultChannelGroup]
 *   metrics: [sessions, totalUsers, purchaseRevenue]
 *   startDate: 2024-01-01
 *   lookbackDays: 3
 * }</pre>
 *
 * <p>Credentials: a service-account key ({@code credentialsJson}), an OAuth refresh token ({@code
 * clientId}, {@code clientSecret}, {@code refreshToken}) or Application Default Credentials; always
 * through {@code ${secret:…}}, never logged. See {@code docs/user-guide/connectors.md} (section
 * {@code ga4}).
 *
 * <p>Stateless and thread-safe; the public no-argument constructor does no I/O.
 */
public final class Ga4ConnectorProvider implements ConnectorProvider {
  /** The OAuth scope the connector asks for. */
  public static final String SCOPE = "https://www.googleapis.com/auth/analytics.readonly";

  @Override
  public String type() {
    return "ga4";
  }

  @Override
  public String description() {
    return "Google Analytics 4 reports (Data API runReport), incremental by date with a lookback window";
  }

  @Override
  public ObjectNode configSchema() {
    ObjectNode filter = ConfigSchemas.object().build();
    filter.remove("additionalProperties");
    ObjectNode metricFilter = filter.deepCopy();
    filter.put("description", "A GA4 FilterExpression on dimensions (andGroup, orGroup, notExpression, filter), passed as is.");
    metricFilter.put("description", "A GA4 FilterExpression on metrics, applied after aggregation, passed as is.");
    return ConfigSchemas.object()
        .description("Google Analytics 4 Data API runReport as records.")
        .required("property", propertySchema())
        .required("metrics", ConfigSchemas.stringList("Metric API names, 1 to 10, e.g. sessions, totalUsers."))
        .optional("dimensions", ConfigSchemas.stringList("Dimension API names, up to 9 with date; date is always added."))
        .optional("dimensionFilter", filter)
        .optional("metricFilter", metricFilter)
        .optional("startDate", ConfigSchemas.string("First day of the first read: YYYY-MM-DD, today, yesterday or NdaysAgo.", "30daysAgo"))
        .optional("endDate", ConfigSchemas.string("Last day of every read, same forms.", "today"))
        .optional("timeZone", ConfigSchemas.string("The property's time zone, to resolve today/yesterday/NdaysAgo.", "UTC"))
        .optional("incremental", ConfigSchemas.bool("Continue from the last day read (the checkpoint) instead of re-reading startDate..endDate.", true))
        .optional("lookbackDays", ConfigSchemas.integer("Days before the checkpoint read again on each run, because GA4 keeps revising recent days.", 3, 0))
        .optional("pageSize", ConfigSchemas.integer("Rows per request (limit), at most 250000.", 10_000, 1))
        .optional("currencyCode", ConfigSchemas.string("ISO 4217 code for currency metrics; default the property's."))
        .optional("keepEmptyRows", ConfigSchemas.bool("Also return rows whose metrics are all 0.", false))
        .optional("minHourlyTokens", ConfigSchemas.integer("Pause until the next hour when fewer hourly quota tokens remain.", 1_000, 0))
        .optional("minDailyTokens", ConfigSchemas.integer("Stop the run (retryable) when fewer daily quota tokens remain.", 1_000, 0))
        .optional("endpoint", ConfigSchemas.string("Data API base URL (proxies, tests).", "https://analyticsdata.googleapis.com"))
        .optional("credentialsJson", ConfigSchemas.secret("A service-account key file's JSON (or authorized_user JSON); use ${secret:…}."))
        .optional("clientId", ConfigSchemas.string("OAuth client id, with clientSecret and refreshToken (not secret, but may be ${secret:…})."))
        .optional("clientSecret", ConfigSchemas.secret("OAuth client secret; use ${secret:…}."))
        .optional("refreshToken", ConfigSchemas.secret("OAuth refresh token with the analytics.readonly scope; use ${secret:…}."))
        .optional("tokenUri", ConfigSchemas.string("Token endpoint for the refresh token.", GoogleCredentials.DEFAULT_TOKEN_URI))
        .optional("maxRetries", ConfigSchemas.integer("Retries of one request on documented transient errors.", 5, 0))
        .optional("maxRetryWait", ConfigSchemas.duration("Longest single wait (Retry-After, quota window) before the run fails instead.", "65m"))
        .optional("requestTimeout", ConfigSchemas.duration("Timeout of one request.", "2m"))
        .build();
  }

  private static ObjectNode propertySchema() {
    ObjectNode n = ConfigSchemas.string("The numeric GA4 property id (123456789 or properties/123456789).");
    n.putArray("type").add("string").add("integer");
    return n;
  }

  @Override
  public Connector create(PluginConfig config, PluginContext context) {
    return create(config, context, Sleeper.SYSTEM, System.getenv(), RandomGenerator.getDefault());
  }

  /** With injected waiting, environment (for Application Default Credentials) and randomness: tests. */
  Connector create(PluginConfig config, PluginContext context, Sleeper sleeper, Map<String, String> env,
      RandomGenerator random) {
    Ga4Settings settings = Ga4Settings.from(config);
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    GoogleCredentials credentials =
        GoogleCredentials.fromConfig(config, List.of(SCOPE), client, context.clock(), sleeper, env);
    return new Ga4Connector(settings, credentials, client, context.objectMapper(), context.clock(), sleeper, random);
  }
}
