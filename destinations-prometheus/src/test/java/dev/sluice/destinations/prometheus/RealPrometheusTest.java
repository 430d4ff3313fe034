package dev.sluice.destinations.prometheus;

import static dev.sluice.destinations.prometheus.TestSupport.batch;
import static dev.sluice.destinations.prometheus.TestSupport.ga4Rows;
import static dev.sluice.destinations.prometheus.TestSupport.record;
import static dev.sluice.destinations.prometheus.TestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian package {@code prometheus}) scrapes the destination every 250 ms, on
 * its own port and through the handler mounted on a host's server (Prometheus negotiates
 * OpenMetrics on both), and through {@code scrape(accept)} served by another host in the
 * Prometheus text format; the test queries Prometheus' HTTP API
 * ({@code /api/v1/query}, {@code /api/v1/targets}, documented at
 * https://prometheus.io/docs/prometheus/latest/querying/api/) and compares with the records.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealPrometheusTest {
  @TempDir
  static Path dir;
  static PrometheusDestination destination;
  static HttpServer host;
  static HttpServer otherHost;
  static LocalServers.Server prometheus;

  @BeforeAll
  static void start() throws Exception {
    int port = LocalServers.freePort();
    destination = TestSupport.create("""
        port: %d
        staleAfterRuns: 1
        metrics:
          - { name: ga4_sessions, type: gauge, help: Sessions per channel, value: $.sessions,
              labels: { channel: $.sessionDefaultChannelGroup } }
          - { name: ga4_sessions_seen, type: counter, counterMode: delta, help: Sessions summed over runs,
              value: $.sessions, labels: { channel: { path: $.missing, default: all } } }
        """.formatted(port), Clock.systemUTC());
    assertThat(destination.port()).hasValue(port);

    // A host's own HTTP server mounts the handler at /metrics; another host, whose server is not
    // the JDK's, renders scrape(accept) itself and answers the Prometheus text format.
    host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    host.createContext("/metrics", destination.scrapeHandler());
    host.start();
    otherHost = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    otherHost.createContext("/metrics", exchange -> {
      PrometheusDestination.Exposition e = destination.scrape("text/plain;version=0.0.4");
      exchange.getResponseHeaders().set("Content-Type", e.contentType());
      exchange.sendResponseHeaders(200, e.body().length);
      exchange.getResponseBody().write(e.body());
      exchange.close();
    });
    otherHost.start();
    prometheus = LocalServers.prometheus(dir.resolve("prometheus"), List.of("127.0.0.1:" + port,
        "127.0.0.1:" + host.getAddress().getPort(), "127.0.0.1:" + otherHost.getAddress().getPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (host != null) {
      host.stop(0);
    }
    if (otherHost != null) {
      otherHost.stop(0);
    }
    if (destination != null) {
      destination.close();
    }
  }

  /** Instant query: the values of labels {@code by} joined by '/' -> value, of every series in the result. */
  static Map<String, Double> query(String promql, String... by) throws Exception {
    var response = LocalServers.get(prometheus.base() + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8), null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = TestSupport.JSON.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("success");
    Map<String, Double> out = new LinkedHashMap<>();
    for (JsonNode series : body.path("data").path("result")) {
      StringBuilder key = new StringBuilder();
      for (String label : by) {
        key.append(key.length() == 0 ? "" : "/").append(series.path("metric").path(label).asText());
      }
      out.put(key.toString(), Double.parseDouble(series.path("value").get(1).asText()));
    }
    return out;
  }

  @Test
  @Order(1)
  void prometheusScrapesBothEndpointsAndHoldsTheRecordsValues() throws Exception {
    var rows = ga4Rows("Organic Search", "1234", "Direct", "567", "Paid \"Search\"", "89.5");
    assertThat(destination.deliver(batch("ga4", "run-1", rows)).isSuccess()).isTrue();
    Map<String, Double> expected = Map.of("Organic Search", 1234.0, "Direct", 567.0, "Paid \"Search\"", 89.5);

    for (String job : List.of("target0", "target1", "target2")) {
      Map<String, Double> seen = LocalServers.await("ga4_sessions of " + job + " in Prometheus (targets: "
          + LocalServers.get(prometheus.base() + "/api/v1/targets", null).body() + ")",
          () -> query("ga4_sessions{job=\"" + job + "\"}", "channel"), expected::equals);
      assertThat(seen).isEqualTo(expected);
      assertThat(LocalServers.await("ga4_sessions_seen_total of " + job,
          () -> query("ga4_sessions_seen_total{job=\"" + job + "\"}", "channel"),
          m -> m.equals(Map.of("all", 1890.5)))).containsEntry("all", 1890.5);
    }

    // Both formats parsed cleanly: every target is up with no scrape error.
    var targets = TestSupport.JSON.readTree(LocalServers.get(prometheus.base() + "/api/v1/targets", null).body());
    assertThat(targets.at("/data/activeTargets")).hasSize(3).allSatisfy(t -> {
      assertThat(t.path("health").asText()).as(t.toString()).isEqualTo("up");
      assertThat(t.path("lastError").asText()).isEmpty();
    });

    // A new run's values replace the gauges, and the delta counter adds up.
    destination.deliver(batch("ga4", "run-2", ga4Rows("Organic Search", "1300")));
    assertThat(LocalServers.await("the new value", () -> query("ga4_sessions{job=\"target0\",channel=\"Organic Search\"}",
        "channel"), m -> Double.valueOf(1300.0).equals(m.get("Organic Search")))).hasSize(1);
    assertThat(LocalServers.await("the counter to add up", () -> query("ga4_sessions_seen_total{job=\"target0\"}",
        "channel"), Map.of("all", 3190.5)::equals)).isEqualTo(Map.of("all", 3190.5));
  }

  @Test
  @Order(2)
  void aStaleSeriesDisappearsFromPrometheus() throws Exception {
    destination.deliver(batch("ga4-stale", "s1", List.of(
        record("1", "{\"sessionDefaultChannelGroup\":\"Affiliates\",\"sessions\":3,\"one\":1}"),
        record("2", "{\"sessionDefaultChannelGroup\":\"Email\",\"sessions\":4,\"one\":1}"))));
    destination.finishRun(run("ga4-stale", "s1"), true);
    LocalServers.await("Affiliates in Prometheus", () -> query("ga4_sessions{channel=\"Affiliates\"}", "job"),
        m -> m.size() == 3);

    // The next run no longer reports Affiliates (staleAfterRuns: 1).
    destination.deliver(batch("ga4-stale", "s2", List.of(
        record("2", "{\"sessionDefaultChannelGroup\":\"Email\",\"sessions\":5,\"one\":1}"))));
    destination.finishRun(run("ga4-stale", "s2"), true);

    // One query for both channels, so a scrape that merely failed (every series gone) can't pass.
    Map<String, Double> expected = Map.of("target0/Email", 5.0, "target1/Email", 5.0, "target2/Email", 5.0);
    assertThat(LocalServers.await("Affiliates to go stale in Prometheus while Email stays",
        () -> query("ga4_sessions{channel=~\"Affiliates|Email\"}", "job", "channel"), expected::equals))
        .isEqualTo(expected);
  }
}
