package dev.sluice.destinations.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.destinations.prometheus.internal.Settings;
import dev.sluice.spi.PluginConfigException;
import java.time.Clock;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mappings are checked when the configuration loads, against the Prometheus data model's naming
 * rules (https://prometheus.io/docs/concepts/data_model/: metric names [a-zA-Z_:][a-zA-Z0-9_:]*,
 * label names [a-zA-Z_][a-zA-Z0-9_]*, names beginning with __ reserved) and OpenMetrics' (a unit
 * is the name's suffix; le and quantile are the labels of histograms and summaries).
 */
class ConfigValidationTest {

  private static String gauge(String name, String labels) {
    return "metrics:\n  - name: '" + name + "'\n    type: gauge\n    value: $.v\n" + (labels == null ? ""
        : "    labels: " + labels + "\n");
  }

  private static PluginConfigException refused(String yaml) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Settings.parse(TestSupport.config(yaml)));
    assertThat(t).isInstanceOf(PluginConfigException.class);
    assertThat(t.getMessage()).startsWith("destination 'metrics' (type prometheus)");
    return (PluginConfigException) t;
  }

  @Test
  void theProviderIsRegisteredAsPrometheus() {
    assertThat(ServiceLoader.load(dev.sluice.spi.DestinationProvider.class).stream()
        .map(p -> p.get().type())).contains("prometheus");
    assertThat(new PrometheusDestinationProvider().configSchema().at("/required/0").asText()).isEqualTo("metrics");
  }

  @Test
  void aValidMappingLoads() {
    Settings s = Settings.parse(TestSupport.config("""
        port: 0
        maxSeriesPerMetric: 50
        staleAfterRuns: 2
        staleAfter: 1h
        metrics:
          - name: ga4_sessions
            type: gauge
            help: Sessions per channel
            value: $.sessions
            labels: { channel: $.sessionDefaultChannelGroup, country: { path: $.country, default: unknown } }
            constLabels: { source: ga4 }
          - name: orders_total
            type: counter
            counterMode: delta
            value: $.count
          - name: order_value_euros
            unit: euros
            type: histogram
            buckets: [10, 100, 1000]
            value: $.amount
        """));
    assertThat(s.metrics()).hasSize(3);
    assertThat(s.metrics().get(1).name()).as("a counter's _total is the exposition's, not the name's")
        .isEqualTo("orders");
    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.staleAfterRuns()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "9lives|not a valid Prometheus metric name",
      "ga4-sessions|not a valid Prometheus metric name",
      "sessions per channel|not a valid Prometheus metric name",
      "__sessions|reserved for Prometheus' internal use",
      "job:sessions:rate5m|reserved for recording rules",
      "sessions_bucket|reserved suffix '_bucket'",
      "sessions_created|reserved suffix '_created'",
      "sessions_total|only counters end with _total",
      "sessions_info|reserved suffix '_info'",
      "sessiöns|not a valid Prometheus metric name"})
  void refusesMetricNamesPrometheusWouldNot(String name, String why) {
    assertThat(refused(gauge(name, null)).getMessage()).contains("metrics[0]").contains("'name'").contains(why);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{ 1st: $.a }|'1st' is not a valid Prometheus label name",
      "{ channel-group: $.a }|'channel-group' is not a valid Prometheus label name",
      "{ __name__: $.a }|'__name__': label names starting with '__' are reserved",
      "{ __meta: $.a }|reserved for Prometheus' internal use"})
  void refusesLabelNamesPrometheusWouldNot(String labels, String why) {
    assertThat(refused(gauge("ga4_sessions", labels)).getMessage()).contains("metrics[0] ('ga4_sessions')")
        .contains(why);
  }

  @Test
  void refusesLabelNameCollisions() {
    assertThat(refused(gauge("ga4_sessions", "{ source: $.s }") + "    constLabels: { source: ga4 }\n")
        .getMessage()).contains("label 'source' is both in labels and in constLabels");
    assertThat(refused("metrics:\n  - { name: latency_seconds, type: histogram, value: $.v, labels: { le: $.x } }\n")
        .getMessage()).contains("label 'le' is reserved in histograms");
    assertThat(refused("metrics:\n  - { name: latency_seconds, type: summary, value: $.v, labels: { quantile: $.x } }\n")
        .getMessage()).contains("label 'quantile' is reserved in summaries");
    assertThat(refused("pushgateway: { url: 'http://127.0.0.1:9091' }\n" + gauge("ga4_sessions", "{ pipeline: $.p }"))
        .getMessage()).contains("label 'pipeline' collides with the Pushgateway grouping key");
    assertThat(refused("pushgateway: { url: 'http://127.0.0.1:9091' }\n" + gauge("ga4_sessions", null)
        + "    constLabels: { job: x }\n").getMessage()).contains("label 'job' collides");
  }

  @Test
  void refusesMetricsWhoseExpositionNamesCollide() {
    assertThat(refused("""
        metrics:
          - { name: requests, type: histogram, value: $.v }
          - { name: requests_count, type: gauge, value: $.c }
        """).getMessage()).contains("metrics[1] ('requests_count')").contains("collides with metric 'requests'");
    assertThat(refused("""
        metrics:
          - { name: orders, type: counter, counterMode: delta, value: $.v }
          - { name: orders_total, type: counter, counterMode: absolute, value: $.c }
        """).getMessage()).contains("collides with metric 'orders'");
    assertThat(refused("""
        metrics:
          - { name: orders, type: gauge, value: $.v }
          - { name: orders, type: gauge, value: $.c }
        """).getMessage()).contains("'orders' collides with metric 'orders'");
  }

  @Test
  void aUnitMustBeTheNamesSuffix() {
    assertThat(refused("metrics:\n  - { name: order_value, unit: euros, type: gauge, value: $.v }\n").getMessage())
        .contains("the name must end with '_euros'").contains("rename it to 'order_value_euros'");
    assertThat(refused("metrics:\n  - { name: order_value_Total, unit: Total, type: gauge, value: $.v }\n")
        .getMessage()).contains("unit 'Total' is a reserved suffix, not a unit");
  }

  @Test
  void countersMustSayHowARecordsValueApplies() {
    assertThat(refused("metrics:\n  - { name: orders, type: counter, value: $.v }\n").getMessage())
        .contains("a counter needs option 'counterMode': absolute").contains("or delta");
    assertThat(refused("metrics:\n  - { name: orders, type: counter, counterMode: sometimes, value: $.v }\n")
        .getMessage()).contains("'counterMode' must be one of absolute, delta");
    assertThat(refused("metrics:\n  - { name: orders, type: gauge, counterMode: delta, value: $.v }\n")
        .getMessage()).contains("'counterMode' applies to counters only");
    assertThat(refused("metrics:\n  - { name: orders, type: counter, counterMode: delta, onDecrease: reset,"
        + " value: $.v }\n").getMessage()).contains("'onDecrease' applies to counterMode absolute only");
  }

  @Test
  void refusesOtherMistakesWithTheOptionNamed() {
    assertThat(refused("metrics: []\n").getMessage()).contains("'metrics' must be a non-empty list");
    assertThat(refused("port: 0\n").getMessage()).contains("option 'metrics' is required");
    assertThat(refused(gauge("a", null) + "scrapePort: 9\n").getMessage()).contains("unknown option 'scrapePort'");
    assertThat(refused("metrics:\n  - { name: a, type: gauge, value: $.v, lables: {} }\n").getMessage())
        .contains("unknown option 'lables'");
    assertThat(refused("metrics:\n  - { name: a, type: gauge, value: '$..v' }\n").getMessage())
        .contains("option 'value': '$..v' is not a definite JSONPath");
    assertThat(refused("metrics:\n  - { name: a, type: meter, value: $.v }\n").getMessage())
        .contains("'type' must be one of gauge, counter, histogram, summary");
    assertThat(refused("metrics:\n  - { name: a, type: histogram, value: $.v, buckets: [1, 1] }\n").getMessage())
        .contains("'buckets' must be strictly increasing");
    assertThat(refused("metrics:\n  - { name: a, type: summary, value: $.v, quantiles: [1.5] }\n").getMessage())
        .contains("quantiles[0] must be between 0 and 1");
    assertThat(refused(gauge("a", null) + "port: 70000\n").getMessage()).contains("option 'port'");
    assertThat(refused(gauge("a", null) + "maxSeriesPerMetric: 0\n").getMessage()).contains("'maxSeriesPerMetric'");
  }

  @Test
  void thePushgatewayUrlIsASecretNeverEchoed() {
    String secret = "s3cr3t-pass";
    PluginConfigException e = refused(gauge("a", null) + "pushgateway: { url: 'ftp://user:" + secret + "@host/' }\n");
    assertThat(e.getMessage()).contains("pushgateway option 'url' must be an http(s) URL").doesNotContain(secret);
    e = refused(gauge("a", null) + "pushgateway: { url: 'http://user:" + secret + "@host:9091/?x=1' }\n");
    assertThat(e.getMessage()).doesNotContain(secret);

    Settings s = Settings.parse(TestSupport.config(gauge("a", null)
        + "pushgateway: { url: 'http://user:" + secret + "@127.0.0.1:9091', method: post }\n"));
    assertThat(s.push().toString()).doesNotContain(secret).contains("127.0.0.1:9091").contains("POST");
    assertThat(s.toString()).doesNotContain(secret);
    try (PrometheusDestination d = TestSupport.create(gauge("a", null)
        + "pushgateway: { url: 'http://user:" + secret + "@127.0.0.1:9091' }\n", Clock.systemUTC())) {
      assertThat(d.toString()).doesNotContain(secret).contains("127.0.0.1:9091");
    }
  }
}
