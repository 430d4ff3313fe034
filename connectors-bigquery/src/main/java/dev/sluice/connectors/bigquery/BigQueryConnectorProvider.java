package dev.sluice.connectors.bigquery;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.bigquery.internal.BigQueryConnector;
import dev.sluice.connectors.bigquery.internal.BigQuerySettings;
import dev.sluice.connectors.google.internal.GoogleCredentials;
import dev.sluice.delivery.Sleeper;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The {@code bigquery} connector type: the rows of one GoogleSQL query as records, incremental
 * through a cursor column passed as a named query parameter, with exact type mapping.
 *
 * <pre>{@code
 * source:
 *   type: bigquery
 *   credentialsJson: ${secret:bigquery_service_account}
 *   location: EU
 *   query: >
 *     SELECT order_id, status, amount, updated_at FROM shop.orders
 *     WHERE updated_at > @last_updated ORDER BY updated_at
 *   cursorColumn: updated_at
 *   cursorParameter: last_updated
 *   orderedByCursor: true
 *   keyColumns: [order_id]
 *   maximumBytesBilled: 10000000000
 * }</pre>
 *
 * <p>Plain REST (jobs.query / jobs.getQueryResults) over the JDK HttpClient, not the
 * google-cloud-bigquery SDK: see {@code docs/development/connectors.md} ("Design notes: why plain
 * REST") for why, and {@code docs/user-guide/connectors.md} (section {@code bigquery}) for the
 * options.
 *
 * <p>Stateless and thread-safe; the public no-argument constructor does no I/O.
 */
public final class BigQueryConnectorProvider implements ConnectorProvider {
  /** The OAuth scope the connector asks for (running query jobs needs more than bigquery.readonly). */
  public static final String SCOPE = "https://www.googleapis.com/auth/bigquery";

  @Override
  public String type() {
    return "bigquery";
  }

  @Override
  public String description() {
    return "BigQuery query results, incremental through a cursor column and a named query parameter";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .description("The rows of a BigQuery GoogleSQL query as records.")
        .required("query", ConfigSchemas.string("GoogleSQL; with cursorColumn it must use @cursorParameter, e.g. WHERE updated_at > @updated_at."))
        .optional("projectId", ConfigSchemas.string("Project that runs and pays for the jobs; default the service account key's project_id."))
        .optional("location", ConfigSchemas.string("Where the datasets live: US, EU, europe-west3, …"))
        .optional("cursorColumn", ConfigSchemas.string("Column whose largest value becomes the checkpoint (incremental reads)."))
        .optional("cursorParameter", ConfigSchemas.string("Named query parameter fed from the checkpoint; default the cursorColumn's name."))
        .optional("cursorType", ConfigSchemas.enumOf("BigQuery type of the cursor.", "TIMESTAMP", "DATETIME", "DATE", "INT64", "NUMERIC", "STRING"))
        .optional("cursorStart", ConfigSchemas.string("Parameter value of the first read; default the type's lowest value."))
        .optional("orderedByCursor", ConfigSchemas.bool("The query ends with ORDER BY cursorColumn: checkpoint inside the read too.", false))
        .optional("keyColumns", ConfigSchemas.stringList("Columns forming the record key; default a SHA-256 of the row."))
        .optional("pageSize", ConfigSchemas.integer("Rows per page (maxResults).", 10_000, 1))
        .optional("pollTimeout", ConfigSchemas.duration("How long one jobs.query/getQueryResults call waits for the job (timeoutMs).", "10s"))
        .optional("maxJobWait", ConfigSchemas.duration("Give up on a job that runs longer.", "6h"))
        .optional("maximumBytesBilled", maxBytes())
        .optional("dryRunFirst", ConfigSchemas.bool("Dry-run the query first: validates it and reports the bytes it would process.", true))
        .optional("endpoint", ConfigSchemas.string("BigQuery API base URL (proxies, regional endpoints, tests).", "https://bigquery.googleapis.com"))
        .optional("credentialsJson", ConfigSchemas.secret("A service-account key file's JSON (or authorized_user JSON); use ${secret:…}."))
        .optional("clientId", ConfigSchemas.string("OAuth client id, with clientSecret and refreshToken (not secret, but may be ${secret:…})."))
        .optional("clientSecret", ConfigSchemas.secret("OAuth client secret; use ${secret:…}."))
        .optional("refreshToken", ConfigSchemas.secret("OAuth refresh token with the bigquery scope; use ${secret:…}."))
        .optional("tokenUri", ConfigSchemas.string("Token endpoint for the refresh token.", GoogleCredentials.DEFAULT_TOKEN_URI))
        .optional("maxRetries", ConfigSchemas.integer("Retries of one request on documented transient errors.", 6, 0))
        .optional("maxRetryWait", ConfigSchemas.duration("Longest single wait (Retry-After) before the run fails instead.", "5m"))
        .optional("requestTimeout", ConfigSchemas.duration("Timeout of one HTTP request.", "2m"))
        .build();
  }

  private static ObjectNode maxBytes() {
    ObjectNode n = ConfigSchemas.integer("Cost guard: the job fails rather than bill more bytes; also checked by the dry run."
        + " No limit when absent.", 1, 1);
    n.remove("default");
    return n;
  }

  @Override
  public Connector create(PluginConfig config, PluginContext context) {
    return create(config, context, Sleeper.SYSTEM, System.getenv(), RandomGenerator.getDefault());
  }

  /** With injected waiting, environment (for Application Default Credentials) and randomness: tests. */
  Connector create(PluginConfig config, PluginContext context, Sleeper sleeper, Map<String, String> env,
      RandomGenerator random) {
    BigQuerySettings settings = BigQuerySettings.from(config);
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    GoogleCredentials credentials =
        GoogleCredentials.fromConfig(config, List.of(SCOPE), client, context.clock(), sleeper, env);
    if (settings.projectId() == null) {
      if (credentials.projectId() == null || credentials.projectId().isBlank()) {
        throw new PluginConfigException(config.owner() + ": option 'projectId' is required (the credentials name no"
            + " project)");
      }
      settings = settings.withProject(credentials.projectId());
    }
    return new BigQueryConnector(settings, credentials, client, context.objectMapper(), context.clock(), sleeper, random);
  }
}
