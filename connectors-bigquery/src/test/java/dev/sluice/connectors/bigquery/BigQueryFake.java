package dev.sluice.connectors.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.google.testing.GoogleStub;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers BigQuery's jobs.query ({@code POST /bigquery/v2/projects/{p}/queries}) and
 * jobs.getQueryResults ({@code GET /bigquery/v2/projects/{p}/queries/{jobId}}) as documented
 * (https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/query,
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/getQueryResults): {@code kind},
 * {@code jobReference} {projectId, jobId, location}, {@code jobComplete} (false while the job runs:
 * then no schema, rows or totalRows), {@code schema.fields}, {@code totalRows} and {@code
 * totalBytesProcessed} as strings (int64 in JSON), {@code rows} of {@code {"f": [{"v": …}]}} with
 * every scalar a string, {@code pageToken} while more rows follow. A {@code dryRun} answers with
 * {@code totalBytesProcessed} and the schema, no job. The same {@code requestId} returns the same
 * job. The fake does not parse SQL: it returns its table, filtered by the named parameter (if any)
 * as {@code updated_at > @param} and ordered by {@code updated_at, id}.
 */
final class BigQueryFake {
  /** One row: its REST cells and its updated_at in microseconds (for the cursor filter). */
  record Row(List<Object> cells, long updatedMicros, long id) {}

  private record Job(String id, List<Row> rows, AtomicInteger pendingPolls) {}

  volatile JsonNode fields = defaultFields();
  final List<Row> rows = new CopyOnWriteArrayList<>();
  volatile int pendingPolls;
  volatile long bytesProcessed = 52_428_800;
  volatile String project = "example-project";
  private final Map<String, Job> jobs = new HashMap<>();
  private final Map<String, String> byRequestId = new HashMap<>();
  private final AtomicInteger jobCount = new AtomicInteger();
  final List<JsonNode> queryBodies = new CopyOnWriteArrayList<>();

  static JsonNode defaultFields() {
    ArrayNode f = GoogleStub.MAPPER.createArrayNode();
    f.addObject().put("name", "id").put("type", "INTEGER").put("mode", "REQUIRED");
    f.addObject().put("name", "name").put("type", "STRING").put("mode", "NULLABLE");
    f.addObject().put("name", "amount").put("type", "NUMERIC").put("mode", "NULLABLE");
    f.addObject().put("name", "updated_at").put("type", "TIMESTAMP").put("mode", "NULLABLE");
    return f;
  }

  /** A row of the default table; updated_at as int64 microseconds (formatOptions.useInt64Timestamp). */
  void add(long id, String name, String amount, long updatedMicros) {
    rows.add(new Row(List.of(String.valueOf(id), name, amount, String.valueOf(updatedMicros)), updatedMicros, id));
  }

  synchronized GoogleStub.Answer handle(GoogleStub.Received r) {
    String prefix = "/bigquery/v2/projects/" + project + "/queries";
    if (!r.path().startsWith(prefix)) {
      return error(404, "notFound", "NOT_FOUND", "Not found: Project " + r.path());
    }
    if (r.method().equals("POST") && r.path().equals(prefix)) {
      JsonNode body = r.json();
      queryBodies.add(body);
      if (body.path("useLegacySql").asBoolean(true)) {
        return error(400, "invalidQuery", "INVALID_ARGUMENT", "legacy SQL was asked for");
      }
      List<Row> result = evaluate(body);
      ObjectNode out = GoogleStub.MAPPER.createObjectNode().put("kind", "bigquery#queryResponse");
      if (body.path("dryRun").asBoolean(false)) {
        out.putObject("jobReference").put("projectId", project).put("location", body.path("location").asText("US"));
        out.set("schema", GoogleStub.MAPPER.createObjectNode().set("fields", fields));
        out.put("totalBytesProcessed", String.valueOf(bytesProcessed)).put("jobComplete", true).put("cacheHit", false);
        return GoogleStub.Answer.json(200, out.toString());
      }
      String requestId = body.path("requestId").asText("");
      Job job = jobs.get(byRequestId.get(requestId));
      if (job == null) {
        job = new Job("job_" + jobCount.incrementAndGet(), result, new AtomicInteger(pendingPolls));
        jobs.put(job.id(), job);
        byRequestId.put(requestId, job.id());
      }
      return page(job, 0, body.path("maxResults").asInt(100_000), body.path("location").asText("US"));
    }
    if (r.method().equals("GET")) {
      String jobId = r.path().substring(prefix.length() + 1);
      Job job = jobs.get(jobId);
      if (job == null) {
        return error(404, "notFound", "NOT_FOUND", "Not found: Job " + project + ":" + jobId);
      }
      Map<String, String> q = query(r.query());
      int offset = q.containsKey("pageToken") ? Integer.parseInt(q.get("pageToken").substring("tok-".length())) : 0;
      return page(job, offset, Integer.parseInt(q.getOrDefault("maxResults", "100000")), q.getOrDefault("location", "US"));
    }
    return error(400, "invalid", "INVALID_ARGUMENT", "bad request");
  }

  private List<Row> evaluate(JsonNode body) {
    List<Row> out = new ArrayList<>(rows);
    JsonNode params = body.path("queryParameters");
    if (params.size() > 0) {
      String value = params.get(0).path("parameterValue").path("value").asText();
      long micros = micros(value);
      out.removeIf(row -> row.updatedMicros() <= micros);
    }
    out.sort(Comparator.comparingLong(Row::updatedMicros).thenComparingLong(Row::id));
    return out;
  }

  /** A TIMESTAMP parameter value, "2024-01-02 03:04:05.123456+00:00", in microseconds. */
  static long micros(String value) {
    OffsetDateTime t = OffsetDateTime.parse(value.replace(' ', 'T'));
    return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  private GoogleStub.Answer page(Job job, int offset, int max, String location) {
    ObjectNode out = GoogleStub.MAPPER.createObjectNode().put("kind", "bigquery#getQueryResultsResponse");
    out.putObject("jobReference").put("projectId", project).put("jobId", job.id()).put("location", location);
    if (job.pendingPolls().getAndDecrement() > 0) {
      out.put("jobComplete", false);
      return GoogleStub.Answer.json(200, out.toString());
    }
    out.set("schema", GoogleStub.MAPPER.createObjectNode().set("fields", fields));
    out.put("totalRows", String.valueOf(job.rows().size()));
    out.put("totalBytesProcessed", String.valueOf(bytesProcessed));
    out.put("jobComplete", true).put("cacheHit", false);
    ArrayNode rowsOut = out.putArray("rows");
    int end = Math.min(job.rows().size(), offset + max);
    for (int i = offset; i < end; i++) {
      rowsOut.add(toRest(job.rows().get(i).cells()));
    }
    if (end < job.rows().size()) {
      out.put("pageToken", "tok-" + end);
    }
    return GoogleStub.Answer.json(200, out.toString());
  }

  /** {"f": [{"v": …}]} from cells: String, null, a List (REPEATED) or a JsonNode (already shaped). */
  static ObjectNode toRest(List<?> cells) {
    ObjectNode row = GoogleStub.MAPPER.createObjectNode();
    ArrayNode f = row.putArray("f");
    for (Object cell : cells) {
      ObjectNode v = f.addObject();
      if (cell == null) {
        v.putNull("v");
      } else if (cell instanceof JsonNode node) {
        v.set("v", node);
      } else {
        v.put("v", cell.toString());
      }
    }
    return row;
  }

  static GoogleStub.Answer error(int code, String reason, String status, String message) {
    ObjectNode e = GoogleStub.MAPPER.createObjectNode();
    ObjectNode err = e.putObject("error").put("code", code).put("message", message);
    err.putArray("errors").addObject().put("message", message).put("domain", "global").put("reason", reason);
    err.put("status", status);
    return GoogleStub.Answer.json(code, e.toString());
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  static Map<String, String> queryOf(GoogleStub.Received r) {
    return query(r.query());
  }
}
