package dev.sluice.connectors.ga4.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code ga4} connector: runs one GA4 Data API v1beta {@code properties/{id}:runReport} over a
 * date range and emits one record per row.
 *
 * <p><b>Paging.</b> {@code limit} = {@code pageSize} rows per request, {@code offset} advanced by
 * the rows received until {@code rowCount} is reached. Rows are ordered by {@code date}, then by
 * every other dimension, so that offset paging is deterministic.
 *
 * <p><b>Incremental.</b> The checkpoint is {@code {"property": "…", "through": "YYYY-MM-DD"}}: the
 * last day read completely. The next read starts {@code lookbackDays} days before the day after
 * it (GA4 keeps revising recent days), and never before {@code startDate}; re-read days come back
 * with the same record keys, so destinations replace them. A checkpoint is emitted whenever the
 * rows move to the next day and after the last page.
 *
 * <p><b>Quotas.</b> Every request asks for {@code returnPropertyQuota}; consumption goes to the
 * request log and the run's log. When fewer than {@code minHourlyTokens} hourly tokens remain the
 * read pauses until the next hour; when fewer than {@code minDailyTokens} daily tokens remain it
 * stops (retryable) so that the property's other users keep working. A {@code 429
 * RESOURCE_EXHAUSTED} for an hourly quota waits for the next hour, for the daily quota ends the
 * run, for concurrent requests backs off.
 *
 * <p>Thread-safe: per-read state lives on the stack.
 */
public final class Ga4Connector implements Connector, dev.sluice.spi.ConnectionCheck {
  private static final DateTimeFormatter GA4_DATE = DateTimeFormatter.BASIC_ISO_DATE;

  private final Ga4Settings settings;
  private final GoogleApi api;
  private final HttpClient client;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Sleeper sleeper;
  private final URI uri;

  public Ga4Connector(Ga4Settings settings, GoogleCredentials credentials, HttpClient client, ObjectMapper mapper,
      Clock clock, Sleeper sleeper, java.util.random.RandomGenerator random) {
    this.settings = settings;
    this.client = client;
    this.mapper = mapper;
    this.clock = clock;
    this.sleeper = sleeper;
    this.uri = URI.create(settings.endpoint() + "/v1beta/properties/" + settings.property() + ":runReport");
    this.api = new GoogleApi(client, credentials, mapper, this::classify,
        new GoogleApi.Retry(settings.maxRetries(), settings.maxRetryWait()), settings.requestTimeout(), clock, sleeper,
        random);
  }

  /** Sorts GA4's error answers (google.rpc.Status in JSON) into retry, wait or fail. */
  GoogleApi.Decision classify(GoogleApi.GoogleError e) {
    String status = e.status();
    String msg = e.message().toLowerCase(Locale.ROOT);
    if (e.httpStatus() == 429 || status.equals("RESOURCE_EXHAUSTED")) {
      if (msg.contains("concurrent")) {
        return GoogleApi.Decision.backoff();
      }
      if (msg.contains("per day") || msg.contains("daily")) {
        return GoogleApi.Decision.stop("The property's daily token quota is exhausted: the next run (after the"
            + " quota resets) resumes from the last checkpoint. Fewer dimensions, shorter date ranges or fewer runs"
            + " use fewer tokens.");
      }
      return GoogleApi.Decision.retryAfter(untilNextHour());
    }
    switch (e.httpStatus()) {
      case 400:
        return GoogleApi.Decision.fail("Check the options dimensions, metrics, dimensionFilter and metricFilter:"
            + " names are the Data API's (https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema),"
            + " custom ones are written customEvent:NAME, and not every dimension can be combined with every metric");
      case 403:
        return GoogleApi.Decision.fail("Give " + api.credentials().description() + " at least the Viewer role on"
            + " GA4 property " + settings.property() + " (Admin → Property access management), and enable the"
            + " Google Analytics Data API in the credentials' Google Cloud project");
      case 404:
        return GoogleApi.Decision.fail("There is no GA4 property " + settings.property() + ": check option"
            + " 'property' (the numeric property id, not the G- measurement id)");
      case 409:
      case 500:
      case 502:
      case 503:
      case 504:
        return GoogleApi.Decision.backoff();
      default:
        return GoogleApi.Decision.fail("");
    }
  }

  private Duration untilNextHour() {
    ZonedDateTime now = ZonedDateTime.now(clock);
    ZonedDateTime next = now.truncatedTo(ChronoUnit.HOURS).plusHours(1);
    return Duration.between(now, next).plusSeconds(5);
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    try {
      doRead(context, from, emitter);
    } catch (GoogleApi.Cancelled cancelled) {
      context.logger().info("GA4 read cancelled");
    }
  }

  /**
   * A {@code runReport} of the configured dimensions and metrics for one day (the end date) with
   * {@code limit: 1}: proves the credentials, the property access and the report's names, costs a
   * few quota tokens and emits nothing. Retries stop once {@code timeout} has passed.
   *
   * @param timeout the check's bound
   * @return ok, or failed with the Data API's status and what to fix
   * @throws InterruptedException when interrupted while waiting for Google
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(Duration timeout) throws InterruptedException {
    Map<String, String> details = new java.util.LinkedHashMap<>();
    details.put("property", settings.property());
    details.put("endpoint", settings.endpoint().toString());
    ObjectNode body;
    try {
      LocalDate end = Ga4Settings.resolve(settings.endDate(), LocalDate.now(clock.withZone(settings.timeZone())));
      body = requestBody(end, end, 0);
    } catch (RuntimeException e) {
      return dev.sluice.spi.ConnectionCheckResult.failed("ga4 connector: " + e.getMessage(), details);
    }
    body.put("limit", 1);
    return api.check("ga4 connector: runReport of property " + settings.property(), uri, body, timeout, details);
  }

  private void doRead(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    LocalDate today = LocalDate.now(context.clock().withZone(settings.timeZone()));
    LocalDate start = Ga4Settings.resolve(settings.startDate(), today);
    LocalDate end = Ga4Settings.resolve(settings.endDate(), today);
    LocalDate previous = null;
    if (settings.incremental() && from != null) {
      previous = through(from);
      LocalDate again = previous.plusDays(1).minusDays(settings.lookbackDays());
      if (again.isAfter(start)) {
        start = again;
      }
    }
    if (start.isAfter(end)) {
      context.logger().info("GA4 property {}: nothing to read, {} is after {}", settings.property(), start, end);
      if (from != null && settings.incremental()) {
        emitter.checkpoint(from);
      }
      return;
    }
    int dateIndex = settings.dimensions().indexOf("date");
    long offset = 0;
    long rowCount = -1;
    long emitted = 0;
    long tokensUsed = 0;
    String currentDate = null;
    boolean ordered = true;
    JsonNode lastQuota = null;
    while (true) {
      ObjectNode body = requestBody(start, end, offset);
      final long from0 = offset;
      GoogleApi.Answer answer = api.send("POST", uri, body, context, a -> describe(a, from0));
      JsonNode response = answer.body();
      checkHeaders(response);
      Map<String, String> attributes = attributes(response);
      List<String> metricTypes = new ArrayList<>();
      for (JsonNode h : response.path("metricHeaders")) {
        metricTypes.add(h.path("type").asText("TYPE_FLOAT"));
      }
      rowCount = response.path("rowCount").asLong(0);
      JsonNode rows = response.path("rows");
      int i = 0;
      for (JsonNode row : rows) {
        if (context.isCancelled()) {
          throw new GoogleApi.Cancelled();
        }
        long position = offset + i++;
        ObjectNode data = mapper.createObjectNode();
        String problem = toData(row, metricTypes, data);
        if (problem != null) {
          emitter.reject(row.toString(), "GA4 property " + settings.property() + " " + start + ".." + end
              + " row " + position, problem);
          continue;
        }
        String date = data.get("date").asText();
        if (currentDate != null && !date.equals(currentDate)) {
          if (date.compareTo(currentDate) < 0) {
            ordered = false;
            context.logger().warn("GA4 rows came back out of date order ({} after {}): no more checkpoints until"
                + " the read ends", date, currentDate);
          } else if (ordered && settings.incremental()) {
            emitter.checkpoint(checkpoint(LocalDate.parse(currentDate), previous));
          }
        }
        currentDate = date;
        Record.Builder record = Record.builder(key(data), data).source("ga4");
        attributes.forEach(record::attribute);
        if (isOtherRow(data)) {
          record.attribute("ga4.otherRow", "true");
        }
        emitter.emit(record.build());
        emitted++;
      }
      JsonNode quota = response.path("propertyQuota");
      if (!quota.isMissingNode()) {
        lastQuota = quota;
        tokensUsed += quota.path("tokensPerHour").path("consumed").asLong(0);
      }
      offset += rows.size();
      context.logger().info("GA4 property {}: {} of {} rows read ({}..{})", settings.property(), offset, rowCount,
          start, end);
      if (rows.size() == 0 || offset >= rowCount) {
        break;
      }
      paceForQuota(context, quota);
    }
    context.logger().info("GA4 property {}: read {} rows ({} emitted) for {}..{}; quota tokens used {}{}",
        settings.property(), offset, emitted, start, end, tokensUsed, lastQuota == null ? "" : ", " + quotaSummary(lastQuota));
    // The quota this read used, in the run's report (issue: "surface consumption in the run report").
    context.note("GA4 property " + settings.property() + ": " + offset + " rows for " + start + ".." + end
        + "; quota tokens used " + tokensUsed + (lastQuota == null ? "" : ", " + quotaSummary(lastQuota)));
    if (settings.incremental()) {
      emitter.checkpoint(checkpoint(end, previous));
    }
  }

  private Checkpoint checkpoint(LocalDate through, LocalDate previous) {
    LocalDate t = previous != null && previous.isAfter(through) ? previous : through;
    ObjectNode state = mapper.createObjectNode();
    state.put("property", settings.property());
    state.put("through", t.toString());
    return Checkpoint.of(state);
  }

  private LocalDate through(Checkpoint from) {
    JsonNode state = from.state();
    String property = state.path("property").asText("");
    if (!property.isEmpty() && !property.equals(settings.property())) {
      throw new GoogleApiException(-1, "", false, "the checkpoint was written for GA4 property " + property
          + ", this source reads property " + settings.property() + ": reset the pipeline's checkpoint to start"
          + " over", null);
    }
    try {
      return LocalDate.parse(state.path("through").asText(""));
    } catch (DateTimeParseException e) {
      throw new GoogleApiException(-1, "", false, "the checkpoint " + state + " is not one of the ga4 connector's"
          + " ({\"through\": \"YYYY-MM-DD\"}): reset the pipeline's checkpoint", null);
    }
  }

  private void paceForQuota(ReadContext context, JsonNode quota) throws InterruptedException {
    if (quota.isMissingNode()) {
      return;
    }
    long day = remaining(quota, "tokensPerDay");
    if (day >= 0 && day < settings.minDailyTokens()) {
      throw new GoogleApiException(429, "RESOURCE_EXHAUSTED", true, "GA4 property " + settings.property()
          + ": only " + day + " daily quota tokens left (minDailyTokens " + settings.minDailyTokens() + "); stopping"
          + " before they run out so other reports on the property keep working. The next run resumes from the last"
          + " checkpoint.", null);
    }
    long hour = Math.min(pos(remaining(quota, "tokensPerHour")), pos(remaining(quota, "tokensPerProjectPerHour")));
    if (hour < settings.minHourlyTokens()) {
      Duration wait = untilNextHour();
      if (wait.compareTo(settings.maxRetryWait()) > 0) {
        wait = settings.maxRetryWait();
      }
      String why = "only " + hour + " hourly quota tokens left (minHourlyTokens " + settings.minHourlyTokens()
          + "), pausing " + GoogleApi.human(wait) + " for the next hour's tokens";
      context.logger().warn("GA4 property {}: {}", settings.property(), why);
      context.requestLog().request("WAIT", uri.toString(), why);
      sleeper.sleep(wait);
    }
  }

  private static long pos(long v) {
    return v < 0 ? Long.MAX_VALUE : v;
  }

  private static long remaining(JsonNode quota, String name) {
    JsonNode n = quota.path(name).path("remaining");
    return n.canConvertToLong() || n.isTextual() ? n.asLong(-1) : -1;
  }

  private static String quotaSummary(JsonNode quota) {
    return "tokens left: hour " + quota.path("tokensPerHour").path("remaining").asText("?") + ", day "
        + quota.path("tokensPerDay").path("remaining").asText("?");
  }

  private String describe(GoogleApi.Answer a, long offset) {
    JsonNode b = a.body();
    int n = b.path("rows").size();
    String s = a.status() + ", rows " + (n == 0 ? "none" : (offset + 1) + "-" + (offset + n)) + " of "
        + b.path("rowCount").asLong(0);
    if (b.has("propertyQuota")) {
      s += ", quota " + quotaSummary(b.path("propertyQuota"));
    }
    return s;
  }

  private ObjectNode requestBody(LocalDate start, LocalDate end, long offset) {
    ObjectNode body = mapper.createObjectNode();
    ArrayNode dims = body.putArray("dimensions");
    settings.dimensions().forEach(d -> dims.addObject().put("name", d));
    ArrayNode metrics = body.putArray("metrics");
    settings.metrics().forEach(m -> metrics.addObject().put("name", m));
    body.putArray("dateRanges").addObject().put("startDate", start.toString()).put("endDate", end.toString());
    if (settings.dimensionFilter() != null) {
      body.set("dimensionFilter", settings.dimensionFilter().deepCopy());
    }
    if (settings.metricFilter() != null) {
      body.set("metricFilter", settings.metricFilter().deepCopy());
    }
    body.put("offset", offset);
    body.put("limit", settings.pageSize());
    ArrayNode order = body.putArray("orderBys");
    order.addObject().putObject("dimension").put("dimensionName", "date");
    for (String d : settings.dimensions()) {
      if (!d.equals("date")) {
        order.addObject().putObject("dimension").put("dimensionName", d);
      }
    }
    if (settings.currencyCode() != null) {
      body.put("currencyCode", settings.currencyCode());
    }
    if (settings.keepEmptyRows()) {
      body.put("keepEmptyRows", true);
    }
    body.put("returnPropertyQuota", true);
    return body;
  }

  private void checkHeaders(JsonNode response) {
    List<String> dims = new ArrayList<>();
    response.path("dimensionHeaders").forEach(h -> dims.add(h.path("name").asText()));
    List<String> metrics = new ArrayList<>();
    response.path("metricHeaders").forEach(h -> metrics.add(h.path("name").asText()));
    if (!dims.equals(settings.dimensions()) || !metrics.equals(settings.metrics())) {
      throw new GoogleApiException(200, "", false, "GA4 answered with dimensions " + dims + " and metrics " + metrics
          + ", not the requested " + settings.dimensions() + " and " + settings.metrics()
          + " (is the endpoint option pointing at the Data API?)", null);
    }
  }

  private Map<String, String> attributes(JsonNode response) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("ga4.property", settings.property());
    JsonNode meta = response.path("metadata");
    a.put("ga4.subjectToThresholding", String.valueOf(meta.path("subjectToThresholding").asBoolean(false)));
    a.put("ga4.dataLossFromOtherRow", String.valueOf(meta.path("dataLossFromOtherRow").asBoolean(false)));
    JsonNode sampling = meta.path("samplingMetadatas");
    if (sampling.isArray() && sampling.size() > 0) {
      JsonNode s = sampling.get(0);
      a.put("ga4.sampled", "true");
      long read = s.path("samplesReadCount").asLong(0);
      long space = s.path("samplingSpaceSize").asLong(0);
      a.put("ga4.samplesReadCount", String.valueOf(read));
      a.put("ga4.samplingSpaceSize", String.valueOf(space));
    } else {
      a.put("ga4.sampled", "false");
    }
    if (meta.hasNonNull("currencyCode")) {
      a.put("ga4.currencyCode", meta.get("currencyCode").asText());
    }
    if (meta.hasNonNull("timeZone")) {
      a.put("ga4.timeZone", meta.get("timeZone").asText());
    }
    return a;
  }

  /** Fills {@code data} from one row; returns why the row can't be used, or null. */
  private String toData(JsonNode row, List<String> metricTypes, ObjectNode data) {
    JsonNode dv = row.path("dimensionValues");
    JsonNode mv = row.path("metricValues");
    if (dv.size() != settings.dimensions().size() || mv.size() != settings.metrics().size()) {
      return "the row has " + dv.size() + " dimension and " + mv.size() + " metric values, expected "
          + settings.dimensions().size() + " and " + settings.metrics().size();
    }
    data.put("property", settings.property());
    for (int d = 0; d < dv.size(); d++) {
      String name = settings.dimensions().get(d);
      String value = dv.get(d).path("value").asText("");
      if (name.equals("date")) {
        try {
          value = LocalDate.parse(value, GA4_DATE).toString();
        } catch (DateTimeParseException e) {
          return "dimension date is \"" + value + "\", not YYYYMMDD";
        }
      }
      data.put(name, value);
    }
    for (int m = 0; m < mv.size(); m++) {
      String name = settings.metrics().get(m);
      String type = m < metricTypes.size() ? metricTypes.get(m) : "TYPE_FLOAT";
      String value = mv.get(m).path("value").asText("");
      try {
        switch (type) {
          case "TYPE_INTEGER": {
            BigInteger v = new BigDecimal(value).toBigIntegerExact();
            if (v.bitLength() < 64) {
              data.put(name, v.longValue());
            } else {
              data.put(name, v);
            }
            break;
          }
          case "TYPE_CURRENCY":
            data.put(name, new BigDecimal(value));
            break;
          default:
            double d = Double.parseDouble(value);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
              data.put(name, value);
            } else {
              data.put(name, d);
            }
        }
      } catch (NumberFormatException | ArithmeticException e) {
        return "metric " + name + " (" + type + ") is \"" + value + "\", not a number of that type";
      }
    }
    return null;
  }

  private boolean isOtherRow(ObjectNode data) {
    for (String d : settings.dimensions()) {
      if ("(other)".equals(data.path(d).asText())) {
        return true;
      }
    }
    return false;
  }

  /** property | date | the other dimension values, each percent-encoded so that '|' never collides. */
  private String key(ObjectNode data) {
    StringBuilder k = new StringBuilder("properties/").append(settings.property()).append('|')
        .append(data.get("date").asText());
    for (String d : settings.dimensions()) {
      if (!d.equals("date")) {
        k.append('|').append(URLEncoder.encode(data.path(d).asText(), StandardCharsets.UTF_8));
      }
    }
    return k.toString();
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
    return "Ga4Connector{property=" + settings.property() + ", endpoint=" + settings.endpoint() + "}";
  }
}
