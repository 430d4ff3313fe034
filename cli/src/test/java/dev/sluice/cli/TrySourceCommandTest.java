package dev.sluice.cli;

import static dev.sluice.cli.SluiceCliTest.sluice;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice try-source}: requests (masked) and first records, nothing delivered or committed. */
class TrySourceCommandTest {
  private static final String KEY = "k-live-5e6f7a8b9c";
  @TempDir Path dir;
  private final HttpServer server;
  /** id and updated_at of what the API holds; sorted ascending. */
  private final List<String[]> rows = new CopyOnWriteArrayList<>(List.of(
      new String[] {"1", "2026-01-01T10:00:00Z"}, new String[] {"2", "2026-01-01T10:01:00Z"},
      new String[] {"3", "2026-01-01T10:02:00Z"}, new String[] {"4", "2026-01-01T10:03:00Z"},
      new String[] {"5", "2026-01-01T10:04:00Z"}));
  private final List<String> queries = new CopyOnWriteArrayList<>();

  TrySourceCommandTest() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/orders", exchange -> {
      try (exchange) {
        String raw = exchange.getRequestURI().getRawQuery();
        queries.add(raw);
        String query = URLDecoder.decode(raw == null ? "" : raw, StandardCharsets.UTF_8);
        String since = query.replaceAll(".*updated_since=([^&]*).*", "$1");
        int page = Integer.parseInt(query.replaceAll(".*page=(\\d+).*", "$1"));
        byte[] body;
        int status = 200;
        if (!query.contains("api_key=" + KEY)) {
          status = 401;
          body = ("{\"error\":\"bad key " + query + "\"}").getBytes(StandardCharsets.UTF_8);
        } else {
          StringBuilder json = new StringBuilder("[");
          rows.stream()
              .filter(r -> !query.contains("updated_since") || !Instant.parse(r[1]).isBefore(Instant.parse(since)))
              .skip((page - 1) * 2L).limit(2)
              .forEach(r -> json.append(json.length() > 1 ? "," : "")
                  .append("{\"id\":\"").append(r[0]).append("\",\"updated_at\":\"").append(r[1]).append("\"}"));
          body = json.append("]").toString().getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private Path config(String key) throws Exception {
    Path c = dir.resolve("sluice.yaml");
    Files.writeString(c, """
        store: { jdbc: "jdbc:h2:file:%s" }
        destinations:
          out: { type: file, path: %s, mode: append }
        pipelines:
          orders:
            source:
              type: http
              baseUrl: http://127.0.0.1:%d
              path: /orders
              auth: { type: api-key, in: query, name: api_key, value: %s }
              records: { key: id }
              pagination: { type: page, size: 2 }
              incremental: { field: updated_at, param: updated_since }
            rules: [ { to: out } ]
        """.formatted(dir.resolve("data/sluice"), dir.resolve("out.jsonl"), server.getAddress().getPort(), key));
    return c;
  }

  @Test
  void printsTheMaskedRequestsAndTheFirstRecordsThenStopsWritingNothing() throws Exception {
    Path c = config(KEY);
    SluiceCliTest.Result r = sluice("try-source", "orders", "-c", c.toString(), "--limit", "3");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("checkpoint: none, reading from the start")
        .contains("→ GET http://127.0.0.1:" + server.getAddress().getPort() + "/orders?page=1&api_key=***  200")
        .contains("{\"key\":\"1\",\"data\":{\"id\":\"1\",\"updated_at\":\"2026-01-01T10:00:00Z\"}}")
        .contains("{\"key\":\"3\"")
        .doesNotContain("{\"key\":\"4\"")
        .contains("checkpoint (not committed): {\"cursor\":\"2026-01-01T10:01:00Z\",\"atCursor\":[\"2\"]}")
        .contains("3 record(s), 2 request(s); stopped at --limit 3. Nothing was delivered and no checkpoint was committed.")
        .doesNotContain(KEY);
    assertThat(queries).as("the connector stopped after the page holding record 3").hasSize(2);
    assertThat(dir.resolve("out.jsonl")).doesNotExist();

    SluiceCliTest.Result again = sluice("try-source", "orders", "-c", c.toString());
    assertThat(again.out()).as("nothing was committed").contains("checkpoint: none, reading from the start")
        .contains("5 record(s)").contains("the source has no more");
  }

  @Test
  void readsFromTheStoredCheckpointLikeTheNextRunButNeverWritesIt() throws Exception {
    Path c = config(KEY);
    assertThat(sluice("once", "orders", "-c", c.toString(), "--progress", "off").exit()).isZero();
    long delivered = Files.readAllLines(dir.resolve("out.jsonl")).size();
    rows.add(new String[] {"6", "2026-01-01T10:05:00Z"});

    SluiceCliTest.Result first = sluice("try-source", "orders", "-c", c.toString());
    SluiceCliTest.Result second = sluice("try-source", "orders", "-c", c.toString());

    String stored = "checkpoint: {\"cursor\":\"2026-01-01T10:04:00Z\",\"atCursor\":[\"5\"]} (read as the next run would;"
        + " never written)";
    assertThat(first.out()).contains(stored).contains("updated_since=2026-01-01T10%3A04%3A00Z")
        .contains("{\"key\":\"6\"").doesNotContain("{\"key\":\"5\"").contains("1 record(s)");
    assertThat(second.out()).as("the stored checkpoint did not move").contains(stored).contains("{\"key\":\"6\"");
    assertThat(Files.readAllLines(dir.resolve("out.jsonl"))).hasSize((int) delivered);
  }

  @Test
  void aFailingSourceShowsTheMaskedErrorAndExitsOne() throws Exception {
    Path c = config("k-wrong-0000000");
    SluiceCliTest.Result r = sluice("try-source", "orders", "-c", c.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(r.err()).contains("the source failed after 0 record(s)").contains("answered 401")
        .contains("bad key").doesNotContain("k-wrong-0000000");
    assertThat(r.out()).doesNotContain("k-wrong-0000000").contains("api_key=***");
  }

  @Test
  void worksForAnyConnectorType() throws Exception {
    Files.writeString(dir.resolve("in.jsonl"), "{\"id\":1}\n{\"id\":2}\nnot json\n");
    Path c = dir.resolve("file.yaml");
    Files.writeString(c, """
        store: { type: memory }
        destinations: { out: { type: log } }
        pipelines:
          lines:
            source: { type: file, path: %s, key: id }
            rules: [ { to: out } ]
        """.formatted(dir.resolve("in.jsonl")));
    SluiceCliTest.Result r = sluice("try-source", "lines", "-c", c.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("{\"key\":\"1\"").contains("{\"key\":\"2\"")
        .contains("rejected at in.jsonl:3: not valid JSON").contains("2 record(s), 1 rejected, 0 request(s)");

    SluiceCliTest.Result unknown = sluice("try-source", "nope", "-c", c.toString());
    assertThat(unknown.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(unknown.err()).contains("nope");
  }
}
