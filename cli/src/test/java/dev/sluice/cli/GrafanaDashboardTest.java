package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.LoadedConfig;
import dev.sluice.pipeline.RunReport;
import dev.sluice.spi.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/grafana/sluice-dashboard.json: valid JSON in Grafana's dashboard model (schemaVersion 39:
 * templating.list, panels with gridPos/datasource/targets), queries only on metrics the docs list,
 * and the ones a plain run produces present in a real scrape.
 */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = Path.of("../docs/grafana/sluice-dashboard.json");
  private static final Path DOCS = Path.of("../docs/user-guide");
  private static final Pattern METRIC = Pattern.compile("\\bsluice_[a-z0-9_]+");
  private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat", "state-timeline", "gauge", "table");

  @TempDir Path dir;

  @Test
  void theDashboardIsAWellFormedGrafanaDashboardOnAPrometheusVariable() throws Exception {
    JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(d.path("title").asText()).isEqualTo("Sluice");
    assertThat(d.path("uid").asText()).matches("[a-zA-Z0-9_-]{1,40}");
    assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
    JsonNode vars = d.path("templating").path("list");
    assertThat(vars.isArray()).isTrue();
    JsonNode ds = find(vars, "datasource");
    assertThat(ds.path("type").asText()).isEqualTo("datasource");
    assertThat(ds.path("query").asText()).isEqualTo("prometheus");
    JsonNode pipeline = find(vars, "pipeline");
    assertThat(pipeline.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
    assertThat(pipeline.path("definition").asText()).isEqualTo("label_values(sluice_records_read_total, pipeline)");

    Set<Integer> ids = new HashSet<>();
    int panels = 0;
    for (JsonNode p : d.path("panels")) {
      String title = p.path("title").asText();
      assertThat(title).as("every panel has a title").isNotBlank();
      assertThat(ids.add(p.path("id").asInt(-1))).as("unique id: %s", title).isTrue();
      assertThat(PANEL_TYPES).as("panel type of %s", title).contains(p.path("type").asText());
      JsonNode g = p.path("gridPos");
      assertThat(g.path("w").asInt()).as("width of %s", title).isBetween(1, 24);
      assertThat(g.path("x").asInt() + g.path("w").asInt()).as("fits the 24 columns: %s", title).isLessThanOrEqualTo(24);
      assertThat(g.path("h").asInt()).isPositive();
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      panels++;
      assertThat(p.path("datasource").path("uid").asText()).as("%s uses the variable", title).isEqualTo("${datasource}");
      assertThat(p.path("targets").size()).as("%s has queries", title).isPositive();
      Set<String> refIds = new HashSet<>();
      for (JsonNode t : p.path("targets")) {
        String expr = t.path("expr").asText();
        assertThat(expr).as("a query in %s", title).isNotBlank();
        assertThat(refIds.add(t.path("refId").asText())).isTrue();
        assertThat(balanced(expr)).as("balanced brackets and quotes: %s", expr).isTrue();
        assertThat(METRIC.matcher(expr).find()).as("%s queries a Sluice metric", expr).isTrue();
      }
    }
    assertThat(panels).isGreaterThanOrEqualTo(10);

    // The panels: each of these metrics is queried somewhere.
    assertThat(metrics(d)).contains(
        "sluice_records_read_total", "sluice_records_delivered_total", "sluice_records_dead_lettered_total",
        "sluice_delivery_latency_seconds_bucket", "sluice_runs_seconds_count", "sluice_queue_depth",
        "sluice_circuit_state", "sluice_cron_lateness_seconds");
    assertThat(exprs(d)).anySatisfy(e -> assertThat(e)
        .startsWith("histogram_quantile(0.95").contains("sluice_delivery_latency_seconds_bucket"));
  }

  @Test
  void everyMetricTheDashboardQueriesIsDocumentedAndThoseOfAPlainRunAreInARealScrape() throws Exception {
    JsonNode d = new ObjectMapper().readTree(DASHBOARD.toFile());
    Set<String> documented = documented();
    assertThat(documented).hasSizeGreaterThan(20);
    assertThat(documented).as("every metric the dashboard queries is in docs/user-guide/observability*.md")
        .containsAll(metrics(d));

    String scrape = scrapeOfOneRun();
    Set<String> scraped = new TreeSet<>();
    for (String key : ObservabilityCommandTest.samples(scrape).keySet()) {
      scraped.add(key.contains("{") ? key.substring(0, key.indexOf('{')) : key);
    }
    // What any finished run produces (cron, circuit breakers, webhooks, queues need their features).
    for (String m : List.of("sluice_records_read_total", "sluice_records_delivered_total",
        "sluice_records_dead_lettered_total", "sluice_runs_seconds_count")) {
      assertThat(metrics(d)).contains(m);
      assertThat(scraped).as("a real scrape has %s:%n%s", m, scrape).contains(m);
    }
    assertThat(documented).as("every Sluice metric of a real scrape is documented")
        .containsAll(scraped.stream().filter(s -> s.startsWith("sluice_")).toList());
  }

  /** A real run's exposition through the command's registry (MetricsEndpoint). */
  private String scrapeOfOneRun() throws Exception {
    Path input = dir.resolve("orders.jsonl");
    Files.writeString(input, "{\"id\":1}\n{\"id\":2}\n");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        store: { type: memory }
        destinations:
          all: { type: file, path: %s }
        pipelines:
          orders:
            source: { type: file, path: %s, key: id }
            rules:
              - { name: all, to: all }
        """.formatted(dir.resolve("out.jsonl"), input));
    ConfigLoader loader = ConfigLoader.create(
        ProviderRegistry.discover(SluiceCli.class.getClassLoader(), List.of(), List.of()));
    try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0);
        LoadedConfig loaded = loader.load(List.of(config));
        Sluice sluice = loaded.builder().meterRegistry(endpoint.registry()).build()) {
      Optional<RunReport> report = sluice.trigger("orders").await(Duration.ofSeconds(60));
      assertThat(report).isPresent();
      assertThat(report.get().succeeded()).as(report.get().render()).isTrue();
      return endpoint.registry().scrape();
    }
  }

  /** Prometheus names in backticks in the observability docs; `x_{a,b}` stands for x_a and x_b. */
  static Set<String> documented() throws Exception {
    Set<String> names = new TreeSet<>();
    Pattern code = Pattern.compile("`(sluice_[a-z0-9_]+)(?:\\{([a-z,]+)})?`");
    try (var files = Files.list(DOCS)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("observability")).toList()) {
        Matcher m = code.matcher(Files.readString(f));
        while (m.find()) {
          if (m.group(2) == null) {
            names.add(m.group(1));
          } else {
            for (String suffix : m.group(2).split(",")) {
              names.add(m.group(1) + suffix);
            }
          }
        }
      }
    }
    return names;
  }

  private static List<String> exprs(JsonNode d) {
    return d.path("panels").findValues("expr").stream().map(JsonNode::asText).toList();
  }

  private static Set<String> metrics(JsonNode d) {
    Set<String> names = new TreeSet<>();
    for (String e : exprs(d)) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        names.add(m.group());
      }
    }
    names.addAll(List.of("sluice_records_read_total")); // the pipeline variable's label_values
    return names;
  }

  private static JsonNode find(JsonNode vars, String name) {
    for (JsonNode v : vars) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no templating variable " + name);
  }

  private static boolean balanced(String expr) {
    int paren = 0;
    int brace = 0;
    int bracket = 0;
    boolean quoted = false;
    for (char c : expr.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted) {
        paren += c == '(' ? 1 : c == ')' ? -1 : 0;
        brace += c == '{' ? 1 : c == '}' ? -1 : 0;
        bracket += c == '[' ? 1 : c == ']' ? -1 : 0;
        if (paren < 0 || brace < 0 || bracket < 0) {
          return false;
        }
      }
    }
    return paren == 0 && brace == 0 && bracket == 0 && !quoted;
  }
}
