package dev.sluice.connectors.bigquery.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.bigquery.internal.BigQuerySettings.CursorType;
import dev.sluice.connectors.google.internal.GoogleApi;
import dev.sluice.connectors.google.internal.GoogleApiException;
import dev.sluice.connectors.google.internal.GoogleCredentials;
import dev.sluice.delivery.Sleeper;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code bigquery} connector: runs one GoogleSQL query through the BigQuery REST API and emits
 * one record per result row.
 *
 * <p><b>Protocol.</b> {@code POST projects/{p}/queries} (jobs.query) with {@code useLegacySql:
 * false}, named parameters, {@code maxResults}, {@code timeoutMs}, a {@code requestId} (so a retried
 * POST does not start a second job), {@code formatOptions.useInt64Timestamp} (exact TIMESTAMPs) and
 * the optional {@code location} and {@code maximumBytesBilled}. While {@code jobComplete} is false
 * it polls {@code GET projects/{p}/queries/{jobId}} (jobs.getQueryResults, which waits up to {@code
 * timeoutMs} on the server), then follows {@code pageToken}s. With {@code dryRunFirst} a {@code
 * dryRun} request first reports the bytes the query would process (to the request log, which {@code
 * sluice try-source} prints) and enforces {@code maximumBytesBilled} before anything runs.
 *
 * <p><b>Incremental.</b> With {@code cursorColumn}, the checkpoint is {@code {"cursor": "<value>",
 * "cursorType": "TIMESTAMP", "column": "…"}}; its value is passed as the named parameter {@code
 * @cursorParameter} (never spliced into the SQL), and the largest cursor value read becomes the next
 * checkpoint. With {@code orderedByCursor} (the query ends with {@code ORDER BY cursor}) checkpoints
 * are also emitted inside the read, each time the cursor value moves on; rows out of order then fail
 * the read.
 *
 * <p>Thread-safe: per-read state lives on the stack.
 */
public final class BigQueryConnector implements Connector, dev.sluice.spi.ConnectionCheck {
  private static final Set<String> RETRYABLE = Set.of("rateLimitExceeded", "backendError", "internalError",
      "jobBackendError", "jobInternalError", "jobRateLimitExceeded");

  private final BigQuerySettings settings;
  private final GoogleApi api;
  private final HttpClient client;
  private final ObjectMapper mapper;
  private final String base;

  public BigQueryConnector(BigQuerySettings settings, GoogleCredentials credentials, HttpClient client,
      ObjectMapper mapper, Clock clock, Sleeper sleeper, java.util.random.RandomGenerator random) {
    this.settings = settings;
    this.client = client;
    this.mapper = mapper;
    this.base = settings.endpoint() + "/bigquery/v2/projects/";
    this.api = new GoogleApi(client, credentials, mapper, this::classify,
        new GoogleApi.Retry(settings.maxRetries(), settings.maxRetryWait()), settings.requestTimeout(), clock, sleeper,
        random);
  }

  /** BigQuery's error reasons (ErrorProto.reason, https://cloud.google.com/bigquery/docs/error-messages). */
  GoogleApi.Decision classify(GoogleApi.GoogleError e) {
    String reason = e.reason();
    if (RETRYABLE.contains(reason) || e.httpStatus() == 429 || e.httpStatus() >= 500) {
      return GoogleApi.Decision.backoff();
    }
    switch (reason) {
      case "invalidQuery":
        return GoogleApi.Decision.fail("Fix the SQL in option 'query' (the message gives the line and column)");
      case "accessDenied":
        return GoogleApi.Decision.fail("Grant " + api.credentials().description() + " roles/bigquery.jobUser on"
            + " project " + settings.projectId() + " and roles/bigquery.dataViewer on the datasets the query reads");
      case "notFound":
        return GoogleApi.Decision.fail("Check option 'projectId', the dataset and table names in the query, and"
            + " option 'location' (a dataset lives in one location)");
      case "bytesBilledLimitExceeded":
        return GoogleApi.Decision.fail("Raise option 'maximumBytesBilled' or make the query read less (partition"
            + " filters, fewer columns)");
      case "billingNotEnabled":
        return GoogleApi.Decision.fail("Enable billing for project " + settings.projectId());
      case "responseTooLarge":
        return GoogleApi.Decision.fail("Lower option 'pageSize'");
      case "quotaExceeded":
        return GoogleApi.Decision.stop("A BigQuery quota was exceeded (see the message); the next run, after it"
            + " resets, resumes from the last checkpoint");
      case "invalid":
        return GoogleApi.Decision.fail("Check the options query, location, cursorType and cursorStart against the"
            + " message");
      default:
        return GoogleApi.Decision.fail(e.httpStatus() == 403 ? "Check the permissions of "
            + api.credentials().description() : "");
    }
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    try {
      doRead(context, from, emitter);
    } catch (GoogleApi.Cancelled cancelled) {
      context.logger().info("BigQuery read cancelled");
    }
  }

  /**
   * A dry run of the configured query (from the cursor's start for incremental reads): BigQuery
   * checks the credentials, the project, the tables and the permissions and reports the bytes the
   * query would process, without running it (no cost, no rows). Retries stop once {@code timeout}
   * has passed.
   *
   * @param timeout the check's bound
   * @return ok, or failed with BigQuery's reason and what to fix
   * @throws InterruptedException when interrupted while waiting for Google
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) throws InterruptedException {
    java.util.Map<String, String> details = new java.util.LinkedHashMap<>();
    details.put("projectId", settings.projectId());
    ObjectNode dry = queryBody(settings.cursorColumn() != null ? settings.cursorStart() : null);
    dry.put("dryRun", true);
    URI queries = URI.create(base + enc(settings.projectId()) + "/queries");
    return api.check("bigquery connector: dry run of the query in project " + settings.projectId(), queries, dry,
        timeout, details);
  }

  private void doRead(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    boolean incremental = settings.cursorColumn() != null;
    String cursor = incremental ? (from == null ? settings.cursorStart() : cursorOf(from)) : null;
    ObjectNode body = queryBody(cursor);
    if (settings.dryRunFirst()) {
      dryRun(context, body);
    }
    body.put("requestId", UUID.randomUUID().toString());
    body.put("maxResults", settings.pageSize());
    body.put("timeoutMs", settings.pollTimeout().toMillis());
    URI queries = URI.create(base + enc(settings.projectId()) + "/queries");
    JsonNode response = api.send("POST", queries, body, context, this::describe).body();
    JsonNode job = response.path("jobReference");
    String jobProject = job.path("projectId").asText(settings.projectId());
    String jobId = job.path("jobId").asText("");
    String location = job.path("location").asText(settings.location() == null ? "" : settings.location());
    long polls = 0;
    long maxPolls = Math.max(1, settings.maxJobWait().toMillis() / Math.max(1, settings.pollTimeout().toMillis()));
    while (!response.path("jobComplete").asBoolean(false)) {
      if (jobId.isEmpty()) {
        throw new GoogleApiException(200, "", false, "BigQuery answered jobComplete: false without a jobReference.jobId"
            + " (is the endpoint option pointing at BigQuery?)", null);
      }
      if (++polls > maxPolls) {
        throw new GoogleApiException(200, "", true, "BigQuery job " + jobId + " did not finish within maxJobWait "
            + GoogleApi.human(settings.maxJobWait()) + "; the next run starts it again from the last checkpoint", null);
      }
      response = api.send("GET", results(jobProject, jobId, location, null), null, context, this::describe).body();
    }
    JsonNode fields = response.path("schema").path("fields");
    int cursorIndex = -1;
    int i = 0;
    for (JsonNode f : fields) {
      if (incremental && f.path("name").asText().equalsIgnoreCase(settings.cursorColumn())) {
        cursorIndex = i;
      }
      i++;
    }
    if (incremental && cursorIndex < 0) {
      throw new GoogleApiException(200, "", false, "option 'cursorColumn' " + settings.cursorColumn()
          + " is not a column of the query's result (columns: " + fields.findValuesAsText("name")
          + "): select it", null);
    }
    for (String k : settings.keyColumns()) {
      if (!fields.findValuesAsText("name").contains(k)) {
        throw new GoogleApiException(200, "", false, "option 'keyColumns' names " + k + ", which is not a column of"
            + " the query's result (columns: " + fields.findValuesAsText("name") + ")", null);
      }
    }
    String totalRows = response.path("totalRows").asText("?");
    ReadState state = new ReadState(cursor, cursorIndex, fields);
    long position = 0;
    while (true) {
      for (JsonNode row : response.path("rows")) {
        if (context.isCancelled()) {
          throw new GoogleApi.Cancelled();
        }
        handle(row, position++, state, jobId, emitter);
      }
      context.logger().info("BigQuery job {}: {} of {} rows read", jobId, position, totalRows);
      String token = response.path("pageToken").asText("");
      if (token.isEmpty()) {
        break;
      }
      response = api.send("GET", results(jobProject, jobId, location, token), null, context, this::describe).body();
    }
    if (incremental) {
      emitter.checkpoint(checkpoint(state.max != null ? state.maxLiteral : cursor));
    }
  }

  /** Per-read cursor bookkeeping. */
  private final class ReadState {
    final int cursorIndex;
    final JsonNode fields;
    Comparable<Object> max;
    String maxLiteral;
    boolean emittedSinceCheckpoint;

    ReadState(String cursor, int cursorIndex, JsonNode fields) {
      this.cursorIndex = cursorIndex;
      this.fields = fields;
      this.maxLiteral = cursor;
    }
  }

  private void handle(JsonNode row, long position, ReadState s, String jobId, Emitter emitter) throws Exception {
    ObjectNode data;
    try {
      data = BigQueryValues.row(row, s.fields);
    } catch (BigQueryValues.BadValue e) {
      emitter.reject(row.toString(), "BigQuery job " + jobId + " row " + position, e.getMessage());
      return;
    }
    if (s.cursorIndex >= 0) {
      JsonNode raw = row.path("f").path(s.cursorIndex).get("v");
      if (raw != null && !raw.isNull()) {
        Comparable<Object> value;
        try {
          value = comparable(raw.asText());
        } catch (RuntimeException e) {
          emitter.reject(row.toString(), "BigQuery job " + jobId + " row " + position, "cursor column "
              + settings.cursorColumn() + " holds \"" + raw.asText() + "\", not a " + settings.cursorType());
          return;
        }
        if (s.max != null) {
          int cmp = value.compareTo(s.max);
          if (cmp < 0 && settings.orderedByCursor()) {
            throw new GoogleApiException(200, "", false, "option 'orderedByCursor' is true but row " + position
                + " of job " + jobId + " has a smaller " + settings.cursorColumn() + " than an earlier row: end the"
                + " query with ORDER BY " + settings.cursorColumn() + " (ascending) or set orderedByCursor: false", null);
          }
          if (cmp > 0 && settings.orderedByCursor() && s.emittedSinceCheckpoint) {
            emitter.checkpoint(checkpoint(s.maxLiteral));
            s.emittedSinceCheckpoint = false;
          }
        }
        if (s.max == null || value.compareTo(s.max) > 0) {
          s.max = value;
          s.maxLiteral = literal(raw.asText(), value);
        }
      }
    }
    Record record = Record.builder(key(data), data).source("bigquery").attribute("bigquery.jobId", jobId).build();
    emitter.emit(record);
    s.emittedSinceCheckpoint = true;
  }

  @SuppressWarnings("unchecked")
  private Comparable<Object> comparable(String raw) {
    switch (settings.cursorType()) {
      case TIMESTAMP:
        return (Comparable<Object>) (Comparable<?>) BigQueryValues.timestampMicros(raw);
      case INT64:
        return (Comparable<Object>) (Comparable<?>) new BigInteger(raw);
      case NUMERIC:
        return (Comparable<Object>) (Comparable<?>) new BigDecimal(raw);
      default:
        return (Comparable<Object>) (Comparable<?>) raw;
    }
  }

  private String literal(String raw, Comparable<Object> value) {
    switch (settings.cursorType()) {
      case TIMESTAMP:
        return BigQueryValues.timestampParameter((Long) (Object) value);
      case NUMERIC:
        return ((BigDecimal) (Object) value).toPlainString();
      case DATETIME:
        return raw.replace('T', ' ');
      default:
        return raw;
    }
  }

  private Checkpoint checkpoint(String cursor) {
    ObjectNode state = mapper.createObjectNode();
    state.put("cursor", cursor);
    state.put("cursorType", settings.cursorType().name());
    state.put("column", settings.cursorColumn());
    return Checkpoint.of(state);
  }

  private String cursorOf(Checkpoint from) {
    JsonNode state = from.state();
    if (!state.path("cursor").isTextual()) {
      throw new GoogleApiException(-1, "", false, "the checkpoint " + state + " is not one of the bigquery"
          + " connector's ({\"cursor\": …}): reset the pipeline's checkpoint", null);
    }
    String type = state.path("cursorType").asText(settings.cursorType().name());
    if (!type.equals(settings.cursorType().name())) {
      throw new GoogleApiException(-1, "", false, "the checkpoint holds a " + type + " cursor but option"
          + " 'cursorType' is " + settings.cursorType() + ": reset the pipeline's checkpoint after changing the cursor",
          null);
    }
    return state.get("cursor").asText();
  }

  private ObjectNode queryBody(String cursor) {
    ObjectNode body = mapper.createObjectNode();
    body.put("query", settings.query());
    body.put("useLegacySql", false);
    if (settings.location() != null) {
      body.put("location", settings.location());
    }
    if (settings.maximumBytesBilled() != null) {
      body.put("maximumBytesBilled", String.valueOf(settings.maximumBytesBilled()));
    }
    body.putObject("formatOptions").put("useInt64Timestamp", true);
    if (cursor != null) {
      body.put("parameterMode", "NAMED");
      ObjectNode p = body.putArray("queryParameters").addObject();
      p.put("name", settings.cursorParameter());
      p.putObject("parameterType").put("type", settings.cursorType() == CursorType.NUMERIC
          ? "BIGNUMERIC" : settings.cursorType().name());
      p.putObject("parameterValue").put("value", cursor);
    }
    return body;
  }

  private void dryRun(ReadContext context, ObjectNode body) throws InterruptedException {
    ObjectNode dry = body.deepCopy();
    dry.put("dryRun", true);
    URI queries = URI.create(base + enc(settings.projectId()) + "/queries");
    JsonNode answer = api.send("DRY-RUN", queries, dry, context, a -> a.status() + ", would process "
        + bytes(a.body().path("totalBytesProcessed").asLong(0)) + (settings.maximumBytesBilled() == null ? ""
        : " (maximumBytesBilled " + bytes(settings.maximumBytesBilled()) + ")")).body();
    long processed = answer.path("totalBytesProcessed").asLong(0);
    context.logger().info("BigQuery dry run: the query would process {}", bytes(processed));
    if (settings.maximumBytesBilled() != null && processed > settings.maximumBytesBilled()) {
      throw new GoogleApiException(200, "bytesBilledLimitExceeded", false, "the query would process "
          + bytes(processed) + ", more than maximumBytesBilled " + bytes(settings.maximumBytesBilled())
          + " (dry run; nothing was run): raise maximumBytesBilled or make the query read less", null);
    }
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " bytes";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s (%d bytes)", v, units[u], n);
  }

  private URI results(String project, String jobId, String location, String pageToken) {
    StringBuilder u = new StringBuilder(base).append(enc(project)).append("/queries/").append(enc(jobId))
        .append("?maxResults=").append(settings.pageSize())
        .append("&timeoutMs=").append(settings.pollTimeout().toMillis())
        .append("&formatOptions.useInt64Timestamp=true");
    if (!location.isEmpty()) {
      u.append("&location=").append(enc(location));
    }
    if (pageToken != null) {
      u.append("&pageToken=").append(enc(pageToken));
    }
    return URI.create(u.toString());
  }

  private String describe(GoogleApi.Answer a) {
    JsonNode b = a.body();
    if (!b.path("jobComplete").asBoolean(false)) {
      return a.status() + ", job " + b.path("jobReference").path("jobId").asText("?") + " still running";
    }
    return a.status() + ", " + b.path("rows").size() + " rows of " + b.path("totalRows").asText("?")
        + (b.hasNonNull("pageToken") ? ", more pages" : "")
        + (b.has("totalBytesProcessed") ? ", " + bytes(b.path("totalBytesProcessed").asLong()) + " processed" : "");
  }

  private String key(ObjectNode data) {
    if (settings.keyColumns().isEmpty()) {
      try {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(data.toString().getBytes(StandardCharsets.UTF_8));
        return "sha256:" + HexFormat.of().formatHex(hash);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    StringBuilder k = new StringBuilder();
    for (String column : settings.keyColumns()) {
      if (k.length() > 0) {
        k.append('|');
      }
      JsonNode v = data.get(column);
      k.append(v == null || v.isNull() ? "%NULL" : enc(v.isValueNode() ? v.asText() : v.toString()));
    }
    return k.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // best effort: Java 21+ HttpClient
      }
    }
  }

  @Override
  public String toString() {
    return "BigQueryConnector{project=" + settings.projectId() + ", endpoint=" + settings.endpoint() + "}";
  }
}
