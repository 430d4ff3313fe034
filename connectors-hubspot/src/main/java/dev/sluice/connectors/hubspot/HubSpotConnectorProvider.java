package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.hubspot.internal.HubSpotApi;
import dev.sluice.connectors.hubspot.internal.HubSpotConnector;
import dev.sluice.connectors.hubspot.internal.HubSpotOptions;
import dev.sluice.delivery.Sleeper;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code hubspot} connector: reads HubSpot CRM objects (contacts, companies, deals, tickets,
 * custom objects) through the CRM v3 API, incrementally through the search API or as a full refresh
 * through the list endpoint. See {@code docs/user-guide/connectors.md} (section {@code hubspot}) for
 * the options, and {@code docs/development/connectors.md} for how it is tested.
 *
 * <pre>{@code
 * source: { type: hubspot, object: deals, token: ${secret:hubspot_token}, properties: [dealname, amount] }
 * }</pre>
 *
 * <p>Registered in {@code META-INF/services/dev.sluice.spi.ConnectorProvider}. Stateless and
 * thread-safe; the constructor does no I/O, and neither does {@link #create}: the properties are
 * checked against HubSpot at the start of each read.
 */
public final class HubSpotConnectorProvider implements ConnectorProvider {
  /** The API root used unless {@code baseUrl} says otherwise. */
  public static final String DEFAULT_BASE_URL = "https://api.hubapi.com";

  private static final Pattern OBJECT = Pattern.compile("[A-Za-z][A-Za-z0-9_]*|\\d+-\\d+");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public HubSpotConnectorProvider() {}

  @Override
  public String type() {
    return "hubspot";
  }

  @Override
  public String description() {
    return "reads HubSpot CRM objects (CRM v3): incremental through the search API, or full refresh";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .description("HubSpot CRM objects. Authenticate with a private-app token (token) or OAuth (clientId,"
            + " clientSecret, refreshTokenSecret).")
        .required("object", ConfigSchemas.string("contacts, companies, deals, tickets, or a custom object's type id"
            + " (2-1234567) or fully qualified name."))
        .optional("baseUrl", ConfigSchemas.string("The API root, for proxies and tests.", DEFAULT_BASE_URL))
        .optional("token", ConfigSchemas.secret("A private app's access token; write it as ${secret:NAME}."))
        .optional("clientId", ConfigSchemas.string("OAuth: the app's client id."))
        .optional("clientSecret", ConfigSchemas.secret("OAuth: the app's client secret; write it as ${secret:NAME}."))
        .optional("refreshTokenSecret", ConfigSchemas.string("OAuth: the name of the stored secret that holds the"
            + " refresh token (sluice secret set NAME); a rotated one is written back at once."))
        .optional("tokenUrl", ConfigSchemas.string("OAuth: the token endpoint.", DEFAULT_BASE_URL + "/oauth/v1/token"))
        .optional("properties", ConfigSchemas.stringList("Properties to read; empty or absent reads every property"
            + " (from the properties API). Unknown names fail the run."))
        .optional("incremental", ConfigSchemas.bool("Read only what changed since the last run (search API);"
            + " false lists every record on every run.", true))
        .optional("archived", ConfigSchemas.bool("Full refresh only: also read archived (deleted) records.", false))
        .optional("associations", ConfigSchemas.stringList("Object types whose associated record ids are added"
            + " to each record, e.g. [companies, contacts]."))
        .optional("startDate", ConfigSchemas.string("Incremental: the first run reads records modified at or after"
            + " this ISO-8601 instant or date; absent reads everything."))
        .optional("lookback", ConfigSchemas.duration("Incremental: each run starts this long before the checkpoint,"
            + " to catch records HubSpot's search index showed late; re-read records come again with the same key.",
            "0s"))
        .optional("pageSize", ConfigSchemas.integer("Records per request (search: at most 200, list: at most 100).",
            200, 1))
        .optional("maxRetries", ConfigSchemas.integer("Retries of one request after 429, 5xx or network errors.", 8, 0))
        .optional("requestTimeout", ConfigSchemas.duration("Timeout of one request.", "30s"))
        .optional("searchRequestsPerSecond", ConfigSchemas.number("Pace of search requests (HubSpot limits the"
            + " search endpoints per second and account); 0 turns pacing off. Default 4."))
        .optional("maxRetryWait", ConfigSchemas.duration("The longest single wait for a rate limit or backoff.", "2m"))
        .build();
  }

  @Override
  public Connector create(PluginConfig config, PluginContext context) {
    return create(config, context, Sleeper.SYSTEM);
  }

  /** As {@link #create(PluginConfig, PluginContext)}, waiting with {@code sleeper} (tests never sleep). */
  Connector create(PluginConfig config, PluginContext context, Sleeper sleeper) {
    HubSpotOptions options = options(config);
    HubSpotApi api = new HubSpotApi(options, context.objectMapper(), context.clock(), sleeper, context.secrets());
    return new HubSpotConnector(options, api, context.objectMapper(), context.meterRegistry(), config.owner());
  }

  static HubSpotOptions options(PluginConfig config) {
    String object = config.string("object").trim();
    if (!OBJECT.matcher(object).matches()) {
      throw config.invalid("object", "contacts, companies, deals, tickets or a custom object type id such as"
          + " 2-1234567 (letters, digits and '_', or digits-digits)", config.node("object").orElse(null));
    }
    String baseUrl = url(config, "baseUrl", DEFAULT_BASE_URL);
    String token = config.has("token") ? config.secret("token") : null;
    String refreshSecret = config.optionalString("refreshTokenSecret").orElse(null);
    String clientId = config.optionalString("clientId").orElse(null);
    String clientSecret = config.has("clientSecret") ? config.secret("clientSecret") : null;
    if (token != null && (refreshSecret != null || clientId != null || clientSecret != null)) {
      throw new PluginConfigException(config.owner() + ": give either option 'token' (a private app) or the OAuth"
          + " options 'clientId', 'clientSecret' and 'refreshTokenSecret', not both");
    }
    if (token == null && refreshSecret == null) {
      throw new PluginConfigException(config.owner() + ": no credentials: set option 'token' to a private app's"
          + " access token (token: ${secret:hubspot_token}), or the OAuth options 'clientId', 'clientSecret' and"
          + " 'refreshTokenSecret'");
    }
    if (token != null && token.isBlank()) {
      throw new PluginConfigException(config.owner() + ": option 'token' is empty (value hidden: it is a secret)");
    }
    URI tokenUrl = null;
    if (refreshSecret != null) {
      if (clientId == null || clientId.isBlank()) {
        throw new PluginConfigException(config.owner() + ": OAuth needs option 'clientId' (the app's client id)");
      }
      if (clientSecret == null || clientSecret.isBlank()) {
        throw new PluginConfigException(config.owner() + ": OAuth needs option 'clientSecret' (write it as"
            + " ${secret:NAME})");
      }
      if (!refreshSecret.matches("[A-Za-z0-9_.-]{1,128}")) {
        throw config.invalid("refreshTokenSecret", "a secret name of 1-128 letters, digits, '_', '.' or '-'",
            config.node("refreshTokenSecret").orElse(null));
      }
      tokenUrl = URI.create(url(config, "tokenUrl", baseUrl + "/oauth/v1/token"));
    }
    List<String> properties = names(config, "properties");
    List<String> associations = names(config, "associations");
    for (String a : associations) {
      if (!OBJECT.matcher(a).matches()) {
        throw config.invalid("associations", "object types such as companies or 2-1234567", config.node("associations").orElse(null));
      }
    }
    boolean incremental = config.bool("incremental", true);
    boolean archived = config.bool("archived", false);
    if (incremental && archived) {
      throw new PluginConfigException(config.owner() + ": option 'archived' needs 'incremental: false': HubSpot's"
          + " search API never returns archived records, only the list endpoint does");
    }
    Instant startDate = config.optionalString("startDate").map(s -> instant(config, s)).orElse(null);
    Duration lookback = config.duration("lookback", Duration.ZERO);
    int pageSize = config.intValue("pageSize", 200, 1, 200);
    int maxRetries = config.intValue("maxRetries", 8, 0, 50);
    Duration timeout = config.duration("requestTimeout", Duration.ofSeconds(30));
    if (timeout.isZero()) {
      throw config.invalid("requestTimeout", "a duration above zero", config.node("requestTimeout").orElse(null));
    }
    double perSecond = config.doubleValue("searchRequestsPerSecond", 4);
    if (perSecond < 0 || Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
      throw config.invalid("searchRequestsPerSecond", "a number >= 0", config.node("searchRequestsPerSecond").orElse(null));
    }
    Duration maxRetryWait = config.duration("maxRetryWait", Duration.ofMinutes(2));
    return new HubSpotOptions(object, baseUrl, token, clientId, clientSecret, refreshSecret, tokenUrl, properties,
        incremental, archived, associations, startDate, lookback, pageSize, maxRetries, timeout, perSecond, maxRetryWait);
  }

  private static List<String> names(PluginConfig config, String option) {
    List<String> names = config.stringList(option).stream().map(String::trim).toList();
    for (String n : names) {
      if (!NAME.matcher(n).matches()) {
        throw config.invalid(option, "names of letters, digits, '_', '.' and '-'", config.node(option).orElse(null));
      }
    }
    return names;
  }

  private static String url(PluginConfig config, String option, String defaultValue) {
    String value = config.string(option, defaultValue).trim();
    URI uri;
    try {
      uri = URI.create(value);
    } catch (IllegalArgumentException e) {
      throw config.invalid(option, "an absolute http(s) URL", config.node(option).orElse(null));
    }
    String scheme = Optional.ofNullable(uri.getScheme()).orElse("");
    if (!(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http")) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
      throw config.invalid(option, "an absolute http(s) URL without query or credentials",
          config.node(option).orElse(null));
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  private static Instant instant(PluginConfig config, String text) {
    String s = text.trim();
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw config.invalid("startDate", "an ISO-8601 instant (2024-01-31T00:00:00Z) or date (2024-01-31)",
            config.node("startDate").orElse(null));
      }
    }
  }
}
