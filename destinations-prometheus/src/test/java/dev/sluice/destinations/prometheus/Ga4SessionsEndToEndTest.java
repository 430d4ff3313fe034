package dev.sluice.destinations.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.LoadedConfig;
import dev.sluice.pipeline.RunReport;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user guide's "GA4 sessions per channel as gauges" example, end to end: the YAML is loaded by
 * core's ConfigLoader (the provider found through ServiceLoader), a run reads GA4 rows in the shape
 * the ga4 connector documents (here from a JSON Lines file, as no test reaches Google) and the
 * scrape endpoint serves them over HTTP in both formats, negotiated by the Accept header.
 */
class Ga4SessionsEndToEndTest {
  @TempDir
  Path dir;

  @Test
  void ga4SessionsPerChannelAsGaugesThroughSluice() throws Exception {
    int port = LocalServers.freePort();
    Path rows = dir.resolve("ga4-rows.jsonl");
    // One row per channel for today, as the ga4 connector emits them (dimensions as strings,
    // TYPE_INTEGER metrics as integers, the date dimension always present).
    Files.writeString(rows, """
        {"property":"123456789","date":"2026-12-02","sessionDefaultChannelGroup":"Organic Search","sessions":812}
        {"property":"123456789","date":"2026-12-02","sessionDefaultChannelGroup":"Direct","sessions":301}
        {"property":"123456789","date":"2026-12-02","sessionDefaultChannelGroup":"Paid Search","sessions":97}
        {"property":"123456789","date":"2026-12-02","sessionDefaultChannelGroup":"Email","sessions":"n/a"}
        """);
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        destinations:
          ga4-metrics:
            type: prometheus
            port: %d                     # scrape http://127.0.0.1:%d/metrics
            staleAfterRuns: 3
            maxSeriesPerMetric: 100
            metrics:
              - name: ga4_sessions
                type: gauge
                help: GA4 sessions today per default channel group
                value: $.sessions
                labels: { channel: $.sessionDefaultChannelGroup }
                constLabels: { property: "123456789" }
        pipelines:
          ga4-sessions:
            source: { type: file, path: "%s", key: sessionDefaultChannelGroup }
            rules:
              - to: [ ga4-metrics ]
        """.formatted(port, port, rows.toString().replace("\\", "/")));

    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    try (LoadedConfig loaded = ConfigLoader.create(registry, n -> null, Clock.systemUTC()).load(List.of(config));
        Sluice sluice = loaded.builder().build()) {
      RunReport report = sluice.run("ga4-sessions");
      assertThat(report.delivered()).as(report.render()).isEqualTo(3);
      assertThat(report.deadLettered()).isEqualTo(1);
      List<DeadLetter> dead = loaded.store().deadLetters().list(DeadLetterQuery.all());
      assertThat(dead).singleElement().satisfies(d -> {
        assertThat(d.recordKey()).isEqualTo("Email");
        assertThat(d.reason()).contains("metric 'ga4_sessions': the value at $.sessions must be a number,"
            + " got the text \"n/a\"");
      });

      var text = LocalServers.get("http://127.0.0.1:" + port + "/metrics", null);
      assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
      Map<String, Double> sessions = Samples.parse(text.body()).byLabel("ga4_sessions", "channel",
          Map.of("property", "123456789"));
      assertThat(sessions).isEqualTo(Map.of("Organic Search", 812.0, "Direct", 301.0, "Paid Search", 97.0));
      assertThat(LocalServers.promtoolCheckMetrics(text.body()).exitCode()).isZero();

      assertThat(LocalServers.get("http://127.0.0.1:" + port + "/-/healthy", null).statusCode()).isEqualTo(200);
      var openMetrics = LocalServers.get("http://127.0.0.1:" + port + "/metrics",
          "application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(openMetrics.headers().firstValue("Content-Type")).hasValueSatisfying(
          ct -> assertThat(ct).startsWith("application/openmetrics-text"));
      assertThat(openMetrics.body()).contains("ga4_sessions{channel=\"Organic Search\",property=\"123456789\"} 812.0")
          .endsWith("# EOF\n");
    }
    // Closing Sluice closed the destination and its server.
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> LocalServers.get("http://127.0.0.1:" + port + "/metrics", null)))
        .isInstanceOf(java.net.ConnectException.class);
  }

  /**
   * A stand-in for the ga4 connector, which lives in its own module: it declares the options of
   * its section of docs/user-guide/connectors.md used by the example, loosely typed.
   */
  static final class Ga4Standin implements dev.sluice.spi.ConnectorProvider {
    @Override
    public String type() {
      return "ga4";
    }

    @Override
    public com.fasterxml.jackson.databind.node.ObjectNode configSchema() {
      var schema = dev.sluice.spi.ConfigSchemas.object();
      for (String option : List.of("property", "credentialsJson", "startDate", "endDate", "timeZone")) {
        schema.optional(option, dev.sluice.spi.ConfigSchemas.string(option));
      }
      schema.optional("dimensions", dev.sluice.spi.ConfigSchemas.stringList("dimensions"));
      schema.optional("metrics", dev.sluice.spi.ConfigSchemas.stringList("metrics"));
      schema.optional("incremental", dev.sluice.spi.ConfigSchemas.bool("incremental", true));
      return schema.build();
    }

    @Override
    public dev.sluice.spi.Connector create(dev.sluice.spi.PluginConfig config, dev.sluice.spi.PluginContext context) {
      throw new UnsupportedOperationException("validation only");
    }
  }

  @Test
  void theGuidesExampleIsAValidConfiguration() throws Exception {
    String guide = prometheusSection(Files.readString(guidePath()));
    String marker = "<!-- prometheus-example:";
    int at = guide.indexOf(marker);
    assertThat(at).as("the guide marks its example").isNotNegative();
    int start = guide.indexOf("```yaml\n", at) + "```yaml\n".length();
    String yaml = guide.substring(start, guide.indexOf("```", start));
    assertThat(yaml).contains("type: prometheus", "name: ga4_sessions", "pushgateway:");
    Path config = dir.resolve("guide.yaml");
    Files.writeString(config, yaml);
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of(new Ga4Standin()));
    var problems = ConfigLoader.create(registry, n -> n.equals("SLUICE_MASTER_KEY") ? "k".repeat(32) : null,
        Clock.systemUTC()).validate(List.of(config));
    assertThat(problems).as("problems of the guide's example").isEmpty();

    // And the destination part builds a destination (its pushgateway set, no own server started here).
    String destination = yaml.substring(yaml.indexOf("    type: prometheus"), yaml.indexOf("pipelines:"))
        .replace("    port: 9464", "    port: 0").lines().map(l -> l.length() >= 4 ? l.substring(4) : l)
        .reduce("", (a, b) -> a + b + "\n").replace("type: prometheus\n", "");
    try (PrometheusDestination d = TestSupport.create(destination, Clock.systemUTC())) {
      assertThat(d.toString()).contains("job=sluice", "PUT");
    }
  }

  /** docs/user-guide/destinations.md, from the module or the repository root. */
  static Path guidePath() {
    for (Path p : List.of(Path.of("../docs/user-guide/destinations.md"),
        Path.of("docs/user-guide/destinations.md"))) {
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new AssertionError("docs/user-guide/destinations.md not found from " + Path.of("").toAbsolutePath());
  }

  /** The guide's {@code ## `prometheus`} section: from its heading to the next {@code ## } heading. */
  static String prometheusSection(String guide) {
    String heading = "\n## `prometheus`\n";
    int start = guide.indexOf(heading);
    assertThat(start).as("docs/user-guide/destinations.md has a section %s", heading.strip()).isNotNegative();
    int end = guide.indexOf("\n## ", start + heading.length());
    return guide.substring(start, end < 0 ? guide.length() : end);
  }
}
