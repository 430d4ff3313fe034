package dev.sluice.destinations.prometheus;

import static dev.sluice.destinations.prometheus.TestSupport.batch;
import static dev.sluice.destinations.prometheus.TestSupport.create;
import static dev.sluice.destinations.prometheus.TestSupport.ga4Rows;
import static dev.sluice.destinations.prometheus.TestSupport.record;
import static dev.sluice.destinations.prometheus.TestSupport.run;
import static dev.sluice.destinations.prometheus.TestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.destinations.prometheus.TestSupport.MutableClock;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What records do to the exposed series: values, labels, counters, cardinality guard, staleness. */
class MappingTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T06:00:00Z"));

  private static final String GA4 = """
      metrics:
        - name: ga4_sessions
          type: gauge
          help: Sessions per default channel group
          value: $.sessions
          labels: { channel: $.sessionDefaultChannelGroup }
      """;

  @Test
  void ga4SessionsPerChannelBecomeGauges() throws Exception {
    try (PrometheusDestination d = create(GA4, clock)) {
      DeliveryResult r = d.deliver(batch("ga4", "run-1", ga4Rows("Organic Search", "1234", "Direct", "567",
          "Paid Search", "89.5")));
      assertThat(r.isSuccess()).isTrue();
      assertThat(text(d)).contains("# HELP ga4_sessions Sessions per default channel group\n",
          "# TYPE ga4_sessions gauge\n",
          "ga4_sessions{channel=\"Organic Search\"} 1234.0\n",
          "ga4_sessions{channel=\"Direct\"} 567.0\n",
          "ga4_sessions{channel=\"Paid Search\"} 89.5\n");
      d.finishRun(run("ga4", "run-1"), true);

      // The next run reports new values: a gauge is set, not added.
      d.deliver(batch("ga4", "run-2", ga4Rows("Organic Search", "1300")));
      assertThat(text(d)).contains("ga4_sessions{channel=\"Organic Search\"} 1300.0\n");
    }
  }

  @Test
  void aRecordAMappingCantUseUpdatesNoMetricAndIsAPermanentFailureWithTheReason() throws Exception {
    try (PrometheusDestination d = create(GA4 + """
          - { name: ga4_rows_seen, type: counter, counterMode: delta, value: $.one }
        """, clock)) {
      List<Record> records = List.of(
          record("ok", "{\"sessionDefaultChannelGroup\":\"Direct\",\"sessions\":\"5\",\"one\":1}"),
          record("no-value", "{\"sessionDefaultChannelGroup\":\"Email\",\"one\":1}"),
          record("text", "{\"sessionDefaultChannelGroup\":\"Email\",\"sessions\":\"many\",\"one\":1}"),
          record("nan", "{\"sessionDefaultChannelGroup\":\"Email\",\"sessions\":\"NaN\",\"one\":1}"),
          record("bool", "{\"sessionDefaultChannelGroup\":\"Email\",\"sessions\":true,\"one\":1}"),
          record("no-label", "{\"sessions\":3,\"one\":1}"),
          record("object-label", "{\"sessionDefaultChannelGroup\":{\"a\":1},\"sessions\":3,\"one\":1}"),
          record("second-mapping-fails", "{\"sessionDefaultChannelGroup\":\"Email\",\"sessions\":3}"));
      DeliveryResult r = d.deliver(batch("ga4", "run-1", records));

      assertThat(r.failures()).containsOnlyKeys(1, 2, 3, 4, 5, 6, 7);
      assertThat(r.failures().values()).allSatisfy(f -> assertThat(f.retryable()).isFalse());
      assertThat(r.failures().get(1).reason())
          .isEqualTo("metric 'ga4_sessions': the value at $.sessions is missing or null in the record");
      assertThat(r.failures().get(2).reason()).contains("must be a number, got the text \"many\"");
      assertThat(r.failures().get(3).reason()).contains("must be a number, got the text \"NaN\"");
      assertThat(r.failures().get(4).reason()).contains("must be a number, got a boolean");
      assertThat(r.failures().get(5).reason()).contains("label 'channel' ($.sessionDefaultChannelGroup) is missing");
      assertThat(r.failures().get(6).reason()).contains("must be a string, number or boolean, got an object");
      assertThat(r.failures().get(7).reason()).startsWith("metric 'ga4_rows_seen': the value at $.one is missing");
      // All or nothing per record: the record the second mapping refused did not set the gauge either.
      assertThat(text(d)).contains("ga4_sessions{channel=\"Direct\"} 5.0").doesNotContain("Email")
          .contains("ga4_rows_seen_total 1.0");
    }
  }

  @Test
  void labelValuesAreSanitisedAndCut() throws Exception {
    try (PrometheusDestination d = create(GA4 + "maxLabelValueLength: 12\n", clock)) {
      List<Record> records = List.of(
          record("1", "{\"sessionDefaultChannelGroup\":\"a\\nb\\u0000c\\td\\\"e\\\\\",\"sessions\":1}"),
          record("2", "{\"sessionDefaultChannelGroup\":\"x\\ud800y\",\"sessions\":2}"),
          record("3", "{\"sessionDefaultChannelGroup\":\"0123456789ABCDEFG\",\"sessions\":3}"),
          record("4", "{\"sessionDefaultChannelGroup\":\"emoji \\ud83d\\ude00\\ud83d\\ude00\\ud83d\\ude00\",\"sessions\":4}"),
          record("5", "{\"sessionDefaultChannelGroup\":42,\"sessions\":5}"));
      assertThat(d.deliver(batch("ga4", "r", records)).isSuccess()).isTrue();
      String text = text(d);
      assertThat(text).contains("ga4_sessions{channel=\"a b c d\\\"e\\\\\"} 1.0\n")
          .contains("ga4_sessions{channel=\"x\uFFFDy\"} 2.0\n")
          .contains("ga4_sessions{channel=\"0123456789AB\"} 3.0\n")
          .contains("ga4_sessions{channel=\"emoji \uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\"} 4.0\n")
          .contains("ga4_sessions{channel=\"42\"} 5.0\n");
      assertThat(LocalServers.promtoolCheckMetrics(text).exitCode()).isZero();
    }
  }

  @Test
  void aLabelDefaultStandsInForAMissingValue() throws Exception {
    try (PrometheusDestination d = create("""
        metrics:
          - { name: ga4_sessions, type: gauge, value: $.sessions,
              labels: { channel: { path: $.channel, default: "(not set)" } }, constLabels: { source: ga4 } }
        """, clock)) {
      assertThat(d.deliver(batch("ga4", "r", List.of(record("1", "{\"sessions\":9}")))).isSuccess()).isTrue();
      assertThat(text(d)).contains("ga4_sessions{channel=\"(not set)\",source=\"ga4\"} 9.0");
    }
  }

  @Test
  void cardinalityGuardRefusesNewSeriesBeyondTheLimitButKeepsUpdatingExistingOnes() throws Exception {
    try (PrometheusDestination d = create(GA4 + "maxSeriesPerMetric: 3\n", clock)) {
      List<Record> records = new ArrayList<>(ga4Rows("A", "1", "B", "2", "C", "3", "D", "4", "E", "5"));
      records.addAll(ga4Rows("A", "10")); // an existing series still updates
      DeliveryResult r = d.deliver(batch("ga4", "run-1", records));

      assertThat(r.failures()).containsOnlyKeys(3, 4);
      assertThat(r.failures().get(3).retryable()).isFalse();
      assertThat(r.failures().get(3).reason()).isEqualTo("metric 'ga4_sessions': cardinality guard: the metric has"
          + " reached maxSeriesPerMetric (3 series), so the new series {channel=\"D\"} was refused; raise"
          + " maxSeriesPerMetric or map fewer distinct label values");
      assertThat(d.seriesCount("ga4_sessions")).isEqualTo(3);
      assertThat(text(d)).contains("ga4_sessions{channel=\"A\"} 10.0").doesNotContain("\"D\"", "\"E\"");
    }
  }

  @Test
  void staleSeriesAreRemovedAfterTheConfiguredNumberOfSuccessfulRuns() throws Exception {
    try (PrometheusDestination d = create(GA4 + "staleAfterRuns: 2\n", clock)) {
      d.deliver(batch("ga4", "run-1", ga4Rows("Organic Search", "10", "Affiliates", "3")));
      d.finishRun(run("ga4", "run-1"), true);
      // Affiliates disappears from the GA4 report.
      d.deliver(batch("ga4", "run-2", ga4Rows("Organic Search", "11")));
      d.finishRun(run("ga4", "run-2"), true);
      assertThat(text(d)).as("missed one run of two").contains("channel=\"Affiliates\"");
      d.deliver(batch("ga4", "run-3", ga4Rows("Organic Search", "12")));
      d.finishRun(run("ga4", "run-3"), false);
      assertThat(text(d)).as("a failed run does not count").contains("channel=\"Affiliates\"");
      d.deliver(batch("ga4", "run-4", ga4Rows("Organic Search", "13")));
      d.finishRun(run("ga4", "run-4"), true);

      assertThat(text(d)).doesNotContain("Affiliates").contains("ga4_sessions{channel=\"Organic Search\"} 13.0");
      assertThat(d.seriesCount("ga4_sessions")).isEqualTo(1);
    }
  }

  @Test
  void runsOfOnePipelineDoNotAgeTheSeriesOfAnother() throws Exception {
    try (PrometheusDestination d = create(GA4 + "staleAfterRuns: 1\n", clock)) {
      d.deliver(batch("ga4-web", "w1", ga4Rows("Web", "1")));
      d.finishRun(run("ga4-web", "w1"), true);
      for (int i = 0; i < 3; i++) {
        d.deliver(batch("ga4-app", "a" + i, ga4Rows("App", "2")));
        d.finishRun(run("ga4-app", "a" + i), true);
      }
      assertThat(text(d)).contains("channel=\"Web\"", "channel=\"App\"");
      d.finishRun(run("ga4-web", "w2"), true);
      assertThat(text(d)).doesNotContain("channel=\"Web\"").contains("channel=\"App\"");
    }
  }

  @Test
  void staleSeriesAreRemovedAfterTheConfiguredDurationOnTheInjectedClock() throws Exception {
    try (PrometheusDestination d = create(GA4 + "staleAfter: 30m\n", clock)) {
      d.deliver(batch("ga4", "run-1", ga4Rows("Organic Search", "10", "Affiliates", "3")));
      clock.advance(Duration.ofMinutes(20));
      d.deliver(batch("ga4", "run-2", ga4Rows("Organic Search", "11")));
      clock.advance(Duration.ofMinutes(9));
      assertThat(text(d)).contains("Affiliates");
      clock.advance(Duration.ofMinutes(1));
      assertThat(text(d)).as("a scrape after 30 minutes no longer has it").doesNotContain("Affiliates")
          .contains("Organic Search");
      assertThat(d.seriesCount("ga4_sessions")).isEqualTo(1);
      // A removed series comes back when a record writes it again.
      d.deliver(batch("ga4", "run-3", ga4Rows("Affiliates", "4")));
      assertThat(text(d)).contains("ga4_sessions{channel=\"Affiliates\"} 4.0");
    }
  }

  @Test
  void absoluteCountersAreSetAndRefuseToGoBackwards() throws Exception {
    try (PrometheusDestination d = create("""
        metrics:
          - { name: hubspot_deals_won_total, type: counter, counterMode: absolute, value: $.won, labels: { owner: $.owner } }
        """, clock)) {
      d.deliver(batch("p", "r1", List.of(record("a", "{\"owner\":\"ann\",\"won\":5}"))));
      d.deliver(batch("p", "r2", List.of(record("a", "{\"owner\":\"ann\",\"won\":5}"))));
      assertThat(text(d)).contains("hubspot_deals_won_total{owner=\"ann\"} 5.0");
      DeliveryResult r = d.deliver(batch("p", "r3", List.of(record("a", "{\"owner\":\"ann\",\"won\":3}"),
          record("b", "{\"owner\":\"ann\",\"won\":8}"))));
      assertThat(r.failures()).containsOnlyKeys(0);
      assertThat(r.failures().get(0).retryable()).isFalse();
      assertThat(r.failures().get(0).reason()).contains("a counter never decreases").contains("from 5.0 to 3.0")
          .contains("onDecrease: reset");
      assertThat(text(d)).contains("hubspot_deals_won_total{owner=\"ann\"} 8.0");
    }
  }

  @Test
  void absoluteCountersWithOnDecreaseResetStartOverWithANewCreatedTimestamp() throws Exception {
    try (PrometheusDestination d = create("""
        metrics:
          - { name: ga4_sessions_today, type: counter, counterMode: absolute, onDecrease: reset, value: $.s }
        """, clock)) {
      d.deliver(batch("p", "r1", List.of(record("a", "{\"s\":500}"))));
      String before = om(d);
      clock.advance(Duration.ofHours(1));
      assertThat(d.deliver(batch("p", "r2", List.of(record("a", "{\"s\":20}")))).isSuccess()).isTrue();
      String after = om(d);
      assertThat(after).contains("ga4_sessions_today_total 20.0");
      assertThat(createdOf(after)).isEqualTo(createdOf(before) + 3600.0);
    }
  }

  private static String om(PrometheusDestination d) {
    return new String(d.scrape("application/openmetrics-text; version=1.0.0").body(), StandardCharsets.UTF_8);
  }

  /** The counter's created timestamp, from OpenMetrics' _created line or the model when absent. */
  private static double createdOf(String openMetrics) {
    for (String line : openMetrics.split("\n")) {
      if (line.startsWith("ga4_sessions_today_created ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
      if (line.startsWith("ga4_sessions_today_total ") && line.split(" ").length >= 3) {
        return Double.parseDouble(line.split(" ")[2]); // "value st@created" is not used by this writer
      }
    }
    throw new AssertionError("no created timestamp in:\n" + openMetrics);
  }

  @Test
  void deltaCountersAddRefuseNegativesAndDoNotCountARetriedBatchTwice() throws Exception {
    try (PrometheusDestination d = create("""
        metrics:
          - { name: orders_total, type: counter, counterMode: delta, value: $.n, labels: { shop: $.shop } }
        """, clock)) {
      List<Record> records = List.of(record("o1", "{\"shop\":\"eu\",\"n\":2}"), record("o2", "{\"shop\":\"eu\",\"n\":3}"),
          record("o3", "{\"shop\":\"eu\",\"n\":-1}"));
      DeliveryResult first = d.deliver(new Batch("p", "metrics", "run-1", records, 1));
      assertThat(first.failures()).containsOnlyKeys(2);
      assertThat(first.failures().get(2).reason()).contains("a delta counter only goes up")
          .contains("negative (-1.0)");
      assertThat(text(d)).contains("orders_total{shop=\"eu\"} 5.0");

      // The engine retries the same batch (attempt 2) after, say, a timeout: nothing is added twice.
      d.deliver(new Batch("p", "metrics", "run-1", records, 2));
      assertThat(text(d)).contains("orders_total{shop=\"eu\"} 5.0");
      d.finishRun(run("p", "run-1"), true);

      // The next run's records add again, even with the same keys.
      d.deliver(new Batch("p", "metrics", "run-2", records.subList(0, 2), 1));
      assertThat(text(d)).contains("orders_total{shop=\"eu\"} 10.0");
    }
  }

  @Test
  void histogramsAndSummariesObserveEachRecord() throws Exception {
    try (PrometheusDestination d = create("""
        metrics:
          - { name: deal_amount_euros, unit: euros, type: histogram, buckets: [100, 1000], value: $.amount,
              labels: { stage: $.stage } }
          - { name: deal_amount_summary_euros, unit: euros, type: summary, quantiles: [0.5], value: $.amount }
        """, clock)) {
      DeliveryResult r = d.deliver(batch("p", "r", List.of(record("1", "{\"stage\":\"won\",\"amount\":50}"),
          record("2", "{\"stage\":\"won\",\"amount\":500}"), record("3", "{\"stage\":\"won\",\"amount\":\"5000\"}"),
          record("4", "{\"stage\":\"won\",\"amount\":-5}"))));
      assertThat(r.failures()).containsOnlyKeys(3);
      assertThat(r.failures().get(3).reason()).contains("observes values >= 0 only");
      assertThat(text(d)).contains("deal_amount_euros_bucket{stage=\"won\",le=\"100.0\"} 1\n",
          "deal_amount_euros_bucket{stage=\"won\",le=\"1000.0\"} 2\n",
          "deal_amount_euros_bucket{stage=\"won\",le=\"+Inf\"} 3\n",
          "deal_amount_euros_count{stage=\"won\"} 3\n", "deal_amount_euros_sum{stage=\"won\"} 5550.0\n",
          "deal_amount_summary_euros{quantile=\"0.5\"} 500.0\n", "deal_amount_summary_euros_count 3\n");
      assertThat(om(d)).contains("# UNIT deal_amount_euros euros\n");
    }
  }

  @Test
  void bothExpositionFormatsPassPromtoolCheckMetrics() throws Exception {
    try (PrometheusDestination d = create("""
        metrics:
          - { name: ga4_sessions, type: gauge, help: "Sessions per channel \\\\ (a backslash)", value: $.sessions,
              labels: { channel: $.sessionDefaultChannelGroup }, constLabels: { source: ga4 } }
          - { name: ga4_sessions_seen, type: counter, counterMode: delta, help: Rows seen, value: $.sessions }
          - { name: ga4_session_size_bytes, unit: bytes, type: histogram, help: Sizes, value: $.sessions }
          - { name: ga4_session_size_quantiles_bytes, unit: bytes, type: summary, help: Sizes, value: $.sessions }
        """, clock)) {
      d.deliver(batch("ga4", "r", ga4Rows("Organic Search", "1234", "Direct", "5.5", "Line\nbreak \"quoted\" \\", "7")));
      String text = text(d);
      LocalServers.PromtoolResult checked = LocalServers.promtoolCheckMetrics(text);
      assertThat(checked.exitCode()).as("promtool on the text format:\n%s\n%s", text, checked.output()).isZero();
      assertThat(checked.output()).as("no lint findings").isBlank();
      String openMetrics = om(d);
      assertThat(openMetrics).endsWith("# EOF\n");
      // promtool check metrics lints the Prometheus text format only (it reads OpenMetrics' _created
      // and _total as families without HELP); OpenMetrics is checked by the real Prometheus scraping
      // it in RealPrometheusTest, which negotiates OpenMetrics.
      assertThat(openMetrics).contains("# TYPE ga4_sessions_seen counter\n", "ga4_sessions_seen_total 1246.5\n",
          "# UNIT ga4_session_size_bytes bytes\n");
      // promtool must be able to fail: a broken exposition is refused.
      assertThat(LocalServers.promtoolCheckMetrics("# TYPE x gauge\nx{a=\"1\" 1\n").exitCode()).isNotZero();
    }
  }

  @Test
  void theOwnServerBindsLoopbackByDefaultAndAPortInUseIsAClearError() throws Exception {
    try (PrometheusDestination first = create(GA4 + "port: 0\n", clock)) {
      int port = first.port().orElseThrow();
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
        assertThat(s.isConnected()).isTrue();
      }
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> create(GA4 + "port: " + port + "\n", clock));
      assertThat(t).isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("destination 'metrics' (type prometheus): could not listen on 127.0.0.1:" + port);
    }
    try (PrometheusDestination none = create(GA4, clock)) {
      assertThat(none.port()).as("no port option, no own server").isEmpty();
    }
  }

  @Test
  void unlabelledDistributionsStartOverAfterGoingStale() throws Exception {
    try (PrometheusDestination d = create("""
        staleAfter: 1m
        metrics:
          - { name: report_rows, type: histogram, buckets: [10], value: $.n }
          - { name: report_sizes, type: summary, quantiles: [0.5], value: $.n }
        """, clock)) {
      d.deliver(batch("p", "r1", List.of(record("a", "{\"n\": 5}"), record("b", "{\"n\": 50}"))));
      assertThat(text(d)).contains("report_rows_count 2\n", "report_sizes_count 2\n");
      clock.advance(Duration.ofMinutes(1));
      assertThat(text(d)).doesNotContain("report_rows", "report_sizes");
      d.deliver(batch("p", "r2", List.of(record("c", "{\"n\": 7}"))));
      assertThat(text(d)).contains("report_rows_bucket{le=\"10.0\"} 1\n", "report_rows_count 1\n",
          "report_sizes_count 1\n", "report_sizes_sum 7.0\n");
    }
  }

  @Test
  void helpTextsAndConstantLabelsFromTheConfigurationAreSanitisedToo() throws Exception {
    try (PrometheusDestination d = create("""
        metrics:
          - { name: ga4_sessions, type: gauge, help: "two\\nlines \\u0000 and a NUL", value: $.s,
              constLabels: { source: "ga\\u00004\\t" } }
        """, clock)) {
      d.deliver(batch("p", "r", List.of(record("a", "{\"s\": 1}"))));
      String text = text(d);
      assertThat(text).contains("# HELP ga4_sessions two lines   and a NUL\n", "ga4_sessions{source=\"ga 4 \"} 1.0\n");
      assertThat(LocalServers.promtoolCheckMetrics(text).exitCode()).isZero();
    }
  }

  @Test
  void aHostBuildsTheDestinationFromJavaOptionsAndMountsItsHandler() throws Exception {
    var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    try (PrometheusDestination d = PrometheusDestination.of("ga4-metrics", java.util.Map.of("metrics", List.of(
        java.util.Map.of("name", "ga4_sessions", "type", "gauge", "value", "$.sessions",
            "labels", java.util.Map.of("channel", "$.sessionDefaultChannelGroup")))), clock)) {
      server.createContext("/metrics", d.scrapeHandler());
      server.start();
      d.deliver(batch("ga4", "r", ga4Rows("Direct", "3")));
      var text = LocalServers.get("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics", null);
      assertThat(text.body()).contains("ga4_sessions{channel=\"Direct\"} 3.0\n");
      var om = LocalServers.get("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics",
          "application/openmetrics-text; version=1.0.0");
      assertThat(om.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/openmetrics-text");
      assertThat(om.body()).endsWith("# EOF\n");
    } finally {
      server.stop(0);
    }
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> PrometheusDestination.of("bad",
        java.util.Map.of("metrics", List.of(java.util.Map.of("name", "__x", "type", "gauge", "value", "$.v"))), clock)))
        .isInstanceOf(dev.sluice.spi.PluginConfigException.class)
        .hasMessageContaining("destination 'bad' (type prometheus): metrics[0]");
  }
}
