package dev.sluice.connectors.ga4;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.google.testing.GoogleStub;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Answers {@code POST /v1beta/properties/{id}:runReport} the way the GA4 Data API documents it
 * (https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport):
 * the response carries {@code dimensionHeaders}, {@code metricHeaders} (with {@code type}, e.g.
 * {@code TYPE_INTEGER}, {@code TYPE_CURRENCY}, {@code TYPE_SECONDS}), {@code rows} of {@code
 * dimensionValues}/{@code metricValues} whose values are all strings, the total {@code rowCount}
 * (independent of limit/offset), {@code metadata} (ResponseMetaData: currencyCode, timeZone,
 * subjectToThresholding, dataLossFromOtherRow, samplingMetadatas) and, when asked with {@code
 * returnPropertyQuota}, {@code propertyQuota} with QuotaStatus {@code consumed}/{@code remaining}
 * per quota. The {@code date} dimension's values are {@code YYYYMMDD}. An unknown name is a 400
 * INVALID_ARGUMENT (google.rpc.Status JSON).
 */
final class Ga4Fake {
  static final DateTimeFormatter BASIC = DateTimeFormatter.BASIC_ISO_DATE;

  /** One report row of the fake property: date, channel group, sessions, revenue, avg duration. */
  record Row(LocalDate date, String channel, long sessions, String revenue, String duration) {}

  final List<Row> rows = new CopyOnWriteArrayList<>();
  volatile long hourRemaining = 39_000;
  volatile long dayRemaining = 199_000;
  volatile boolean thresholded;
  volatile boolean sampled;
  volatile boolean otherRowLoss;
  volatile String property = "123456789";

  static final Map<String, String> METRIC_TYPES = Map.of(
      "sessions", "TYPE_INTEGER", "purchaseRevenue", "TYPE_CURRENCY", "averageSessionDuration", "TYPE_SECONDS");

  GoogleStub.Answer handle(GoogleStub.Received r) {
    if (!r.method().equals("POST") || !r.path().equals("/v1beta/properties/" + property + ":runReport")) {
      return GoogleStub.Answer.json(404, "{\"error\":{\"code\":404,\"message\":\"Requested entity was not found.\","
          + "\"status\":\"NOT_FOUND\"}}");
    }
    JsonNode req = r.json();
    List<String> dims = new ArrayList<>();
    req.path("dimensions").forEach(d -> dims.add(d.path("name").asText()));
    List<String> metrics = new ArrayList<>();
    req.path("metrics").forEach(m -> metrics.add(m.path("name").asText()));
    for (String d : dims) {
      if (!d.equals("date") && !d.equals("sessionDefaultChannelGroup")) {
        return invalid("Field " + d + " is not a valid dimension. For a list of valid dimensions and metrics, see"
            + " https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema ");
      }
    }
    for (String m : metrics) {
      if (!METRIC_TYPES.containsKey(m)) {
        return invalid("Field " + m + " is not a valid metric. For a list of valid dimensions and metrics, see"
            + " https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema ");
      }
    }
    JsonNode range = req.path("dateRanges").path(0);
    LocalDate start = LocalDate.parse(range.path("startDate").asText());
    LocalDate end = LocalDate.parse(range.path("endDate").asText());
    long offset = req.path("offset").asLong(0);
    long limit = req.path("limit").asLong(10_000);
    if (limit > 250_000) {
      return invalid("limit must not exceed 250000");
    }
    List<Row> matching = new ArrayList<>();
    for (Row row : rows) {
      if (!row.date().isBefore(start) && !row.date().isAfter(end)) {
        matching.add(row);
      }
    }
    // orderBys: date, then the channel group (what the connector asks for).
    matching.sort(Comparator.comparing(Row::date).thenComparing(Row::channel));
    ObjectNode out = GoogleStub.MAPPER.createObjectNode();
    ArrayNode dh = out.putArray("dimensionHeaders");
    dims.forEach(d -> dh.addObject().put("name", d));
    ArrayNode mh = out.putArray("metricHeaders");
    metrics.forEach(m -> mh.addObject().put("name", m).put("type", METRIC_TYPES.get(m)));
    if (!matching.isEmpty()) {
      ArrayNode rowsOut = out.putArray("rows");
      for (long i = offset; i < Math.min(matching.size(), offset + limit); i++) {
        Row row = matching.get((int) i);
        ObjectNode o = rowsOut.addObject();
        ArrayNode dv = o.putArray("dimensionValues");
        for (String d : dims) {
          dv.addObject().put("value", d.equals("date") ? row.date().format(BASIC) : row.channel());
        }
        ArrayNode mv = o.putArray("metricValues");
        for (String m : metrics) {
          mv.addObject().put("value", switch (m) {
            case "sessions" -> String.valueOf(row.sessions());
            case "purchaseRevenue" -> row.revenue();
            default -> row.duration();
          });
        }
      }
      // rowCount is the total, independent of limit and offset; absent when there are no rows.
      out.put("rowCount", matching.size());
    }
    ObjectNode meta = out.putObject("metadata");
    meta.put("currencyCode", "USD").put("timeZone", "America/Los_Angeles");
    if (thresholded) {
      meta.put("subjectToThresholding", true);
    }
    if (otherRowLoss) {
      meta.put("dataLossFromOtherRow", true);
    }
    if (sampled) {
      meta.putArray("samplingMetadatas").addObject().put("samplesReadCount", "1000").put("samplingSpaceSize", "10000");
    }
    if (req.path("returnPropertyQuota").asBoolean(false)) {
      hourRemaining -= 10;
      dayRemaining -= 10;
      ObjectNode q = out.putObject("propertyQuota");
      q.putObject("tokensPerDay").put("consumed", 10).put("remaining", dayRemaining);
      q.putObject("tokensPerHour").put("consumed", 10).put("remaining", hourRemaining);
      q.putObject("concurrentRequests").put("consumed", 0).put("remaining", 10);
      q.putObject("serverErrorsPerProjectPerHour").put("consumed", 0).put("remaining", 10);
      q.putObject("potentiallyThresholdedRequestsPerHour").put("consumed", 0).put("remaining", 120);
      q.putObject("tokensPerProjectPerHour").put("consumed", 10).put("remaining", hourRemaining);
    }
    out.put("kind", "analyticsData#runReport");
    return GoogleStub.Answer.json(200, out.toString());
  }

  static GoogleStub.Answer invalid(String message) {
    ObjectNode e = GoogleStub.MAPPER.createObjectNode();
    e.putObject("error").put("code", 400).put("message", message).put("status", "INVALID_ARGUMENT");
    return GoogleStub.Answer.json(400, e.toString());
  }

  static GoogleStub.Answer error(int code, String status, String message) {
    ObjectNode e = GoogleStub.MAPPER.createObjectNode();
    e.putObject("error").put("code", code).put("message", message).put("status", status);
    return GoogleStub.Answer.json(code, e.toString());
  }
}
