package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.Sluice;
import dev.sluice.pipeline.RunReport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --metrics-port} (a real scrape over HTTP, checked by promtool), {@code --log-format} and
 * {@code --log-level}: the observability options of {@code run} and {@code once}.
 */
class ObservabilityCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Debian package `prometheus` ships it; .ci/run installs the package. */
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  record Result(int exit, String out, String err) {}

  @AfterEach
  void resetLogging() {
    RunCommand.startedListener = null;
    Logging.configure(Logging.Format.text, "info"); // as logback-test.xml: later tests see text logs
  }

  static Result sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SluiceCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  /** 20 orders, every tenth one big (amount 5000): rule big matches 2, rule all 20. */
  private Path ordersConfig(String store) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 20; i++) {
      sb.append("{\"id\":").append(i).append(",\"amount\":").append(i % 10 == 0 ? 5000 : 10).append("}\n");
    }
    Path input = dir.resolve("orders.jsonl");
    Files.writeString(input, sb);
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        %s
        destinations:
          big: { type: file, path: %s }
          all: { type: file, path: %s }
        pipelines:
          orders:
            source: { type: file, path: %s, key: id }
            rules:
              - { name: big, when: "$.amount > 1000", to: big }
              - { name: all, to: all }
        """.formatted(store, dir.resolve("out/big.jsonl"), dir.resolve("out/all.jsonl"), input));
    return config;
  }

  record Started(Sluice sluice, ObservabilityOptions observability, Runnable stop) {}

  @Test
  void runServesSluicesOwnMetricsForPrometheusOnLoopback() throws Exception {
    Path config = ordersConfig("store: { type: memory }");
    CompletableFuture<Started> started = new CompletableFuture<>();
    RunCommand.startedListener = (sluice, obs, stop) -> started.complete(new Started(sluice, obs, stop));
    ExecutorService thread = Executors.newSingleThreadExecutor();
    Future<Result> run = thread.submit(() -> sluice("run", "-c", config.toString(), "--metrics-port", "0"));
    try {
      Started s;
      try {
        s = started.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        fail("sluice run did not start: " + (run.isDone() ? run.get() : "still starting"));
        return;
      }
      MetricsEndpoint endpoint = s.observability().metrics();
      assertThat(endpoint).as("--metrics-port started the endpoint").isNotNull();
      assertThat(endpoint.address().getAddress().isLoopbackAddress()).as("binds 127.0.0.1 by default").isTrue();

      Optional<RunReport> report = s.sluice().trigger("orders").await(Duration.ofSeconds(60));
      assertThat(report).isPresent();
      assertThat(report.get().succeeded()).as(report.get().render()).isTrue();

      HttpResponse<String> scrape = get(endpoint.url(), "text/plain");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
      Map<String, Double> samples = samples(scrape.body());
      assertThat(samples).as(scrape.body())
          .containsEntry("sluice_records_read_total{pipeline=orders}", 20.0)
          .containsEntry("sluice_records_delivered_total{destination=all,pipeline=orders}", 20.0)
          .containsEntry("sluice_records_delivered_total{destination=big,pipeline=orders}", 2.0)
          .containsEntry("sluice_records_dead_lettered_total{destination=all,pipeline=orders}", 0.0)
          .containsEntry("sluice_runs_seconds_count{pipeline=orders,status=succeeded}", 1.0)
          .containsKey("jvm_memory_used_bytes{area=heap,id=G1 Eden Space}".replace("G1 Eden Space",
              heapPool(samples)));
      assertThat(scrape.body()).as("no record data in the exposition").doesNotContain("5000");

      Path exposition = dir.resolve("metrics.txt");
      Files.writeString(exposition, scrape.body());
      promtoolCheckMetrics(exposition);

      HttpResponse<String> open = get(endpoint.url(), "application/openmetrics-text; version=1.0.0");
      assertThat(open.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/openmetrics-text"));
      assertThat(open.body()).contains("sluice_records_read_total{pipeline=\"orders\"} 20.0").endsWith("# EOF\n");
      Path openMetrics = dir.resolve("metrics.om.txt");
      Files.writeString(openMetrics, open.body());

      assertThat(get(endpoint.url().replace("/metrics", "/other"), "text/plain").statusCode()).isEqualTo(404);
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(endpoint.url()))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);

      s.stop().run();
      Result result = run.get(60, TimeUnit.SECONDS);
      assertThat(result.exit()).as(result.toString()).isZero();
      assertThat(result.out()).contains("sluice: metrics at " + endpoint.url())
          .contains("sluice: running 1 pipeline(s): orders").contains("sluice: stopped");
      try {
        get(endpoint.url(), "text/plain");
        fail("the endpoint still answers after the command stopped");
      } catch (ConnectException expected) {
        // closed with the command
      }
    } finally {
      RunCommand.startedListener = null;
      thread.shutdownNow();
    }
  }

  /** The heap pool's id differs between collectors; any heap pool will do. */
  private static String heapPool(Map<String, Double> samples) {
    return samples.keySet().stream()
        .filter(k -> k.startsWith("jvm_memory_used_bytes{area=heap,id="))
        .map(k -> k.substring("jvm_memory_used_bytes{area=heap,id=".length(), k.length() - 1))
        .findFirst().orElse("(no heap pool)");
  }

  private HttpResponse<String> get(String url, String accept) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** Prometheus text format samples as {@code name{k=v,...}} (labels sorted, unquoted) to value. */
  static Map<String, Double> samples(String exposition) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      List<String> labels = new ArrayList<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.add(l.group(1) + "=" + l.group(2));
        }
      }
      labels.sort(null);
      samples.put(m.group(1) + (labels.isEmpty() ? "" : "{" + String.join(",", labels) + "}"),
          Double.parseDouble(m.group(4)));
    }
    return samples;
  }

  /** {@code promtool check metrics < file}: exit 0 and no lint problem. */
  static void promtoolCheckMetrics(Path exposition) throws IOException, InterruptedException {
    if (!Files.isExecutable(PROMTOOL)) {
      fail(PROMTOOL + " is missing: install the Debian package `prometheus` (apt-get install prometheus)");
    }
    Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
        .redirectInput(exposition.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics:%n%s", output).isZero();
  }

  @Test
  void aMetricsPortInUseIsAClearErrorNamingTheAddress() throws Exception {
    Path config = ordersConfig("store: { type: memory }");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Result r = sluice("once", "orders", "-c", config.toString(), "--metrics-port",
          String.valueOf(taken.getLocalPort()));
      assertThat(r.exit()).isEqualTo(ExitCodes.ERROR);
      assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
    Result badPort = sluice("once", "orders", "-c", config.toString(), "--metrics-port", "70000");
    assertThat(badPort.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(badPort.err()).contains("--metrics-port 70000 is not a port");
    Result badFormat = sluice("once", "orders", "-c", config.toString(), "--log-format", "xml");
    assertThat(badFormat.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badFormat.err()).contains("--log-format", "text, json");
    Result badLevel = sluice("once", "orders", "-c", config.toString(), "--log-level", "loud");
    assertThat(badLevel.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badLevel.err()).contains("--log-level", "trace, debug, info, warn, error, off");
    Result badOtlp = sluice("once", "orders", "-c", config.toString(), "--otlp-endpoint", "ftp://collector:21");
    assertThat(badOtlp.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(badOtlp.err()).contains("--otlp-endpoint must be an absolute http(s) URL");
  }

  /** What the command wrote on System.err (its logs) and through its writers, for one call. */
  private Result capturingStderr(String stdin, String... args) {
    PrintStream original = System.err;
    InputStream originalIn = System.in;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      Result r = sluice(args);
      System.err.flush();
      return new Result(r.exit(), r.out(), r.err() + captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(original);
      System.setIn(originalIn);
    }
  }

  @Test
  void jsonLogsAreOneObjectPerLineWithThePipelineAndRunIdAndNoSecret() throws Exception {
    String token = "tok_live_5f3a9c0e7b21d4";
    String hookSecret = "hook-path-9d8e7f6a5b4c";
    HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
    hook.createContext("/", exchange -> {
      try (exchange) {
        authorizations.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(400, -1); // permanent: dead-lettered, logged as a warning
      }
    });
    hook.start();
    try {
      String store = "store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/sluice") + "\" }\n"
          + "secrets:\n  key: a-long-enough-master-key\n";
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(config, store);
      assertThat(sluice("secret", "list", "-c", config.toString()).exit()).isZero();
      assertThat(capturingStderr(token + "\n", "secret", "set", "api_token", "-c", config.toString()).exit()).isZero();
      assertThat(capturingStderr(hookSecret + "\n", "secret", "set", "hook_path", "-c", config.toString()).exit())
          .isZero();
      Files.writeString(dir.resolve("orders.jsonl"), "{\"id\":1,\"amount\":10}\n{\"id\":2,\"amount\":20}\n");
      Files.writeString(config, store + """
          destinations:
            crm:
              type: webhook
              url: "http://127.0.0.1:%d/hooks/${secret:hook_path}"
              headers: { Authorization: "Bearer ${secret:api_token}" }
              allowedTargets: [127.0.0.1]
              delivery: { maxAttempts: 1, circuitBreaker: { enabled: false } }
            audit: { type: log }
          pipelines:
            orders:
              source: { type: file, path: %s, key: id }
              rules:
                - to: [crm, audit]
          """.formatted(hook.getAddress().getPort(), dir.resolve("orders.jsonl")));

      Result r = capturingStderr("", "once", "orders", "-c", config.toString(), "--progress", "off",
          "--log-format", "json", "--log-level", "info");
      assertThat(authorizations).as("the secrets reached the endpoint, resolved")
          .contains("/hooks/" + hookSecret + " Bearer " + token);
      assertThat(r.out()).contains("orders");

      List<JsonNode> lines = new ArrayList<>();
      for (String line : r.err().split("\n")) {
        if (!line.isBlank()) {
          try {
            lines.add(MAPPER.readTree(line));
          } catch (IOException e) {
            fail("not a JSON line: " + line + "\nall output:\n" + r.err());
          }
        }
      }
      assertThat(lines).allSatisfy(l -> assertThat(l.isObject()).isTrue())
          .allSatisfy(l -> assertThat(l.has("@timestamp") && l.has("level") && l.has("message")).as(l.toString()).isTrue());
      JsonNode runLine = lines.stream()
          .filter(l -> l.path("logger_name").asText().equals("sluice.run")).findFirst()
          .orElseThrow(() -> new AssertionError("no run line in\n" + r.err()));
      assertThat(runLine.path("pipeline").asText()).isEqualTo("orders");
      assertThat(runLine.path("runId").asText()).isNotBlank();
      assertThat(r.out()).as("the run id in the log is the report's").contains(runLine.path("runId").asText());
      assertThat(lines).as("the log destination's lines are JSON too")
          .anySatisfy(l -> assertThat(l.path("logger_name").asText()).isEqualTo("sluice.destination.audit"));

      assertThat(r.out()).as("the report").containsPattern("crm\\s+0\\s+2");
      // The dead letters' reasons are the destination's error messages: where a URL or header could leak.
      Result deadLetters = capturingStderr("", "dead-letters", "list", "-c", config.toString(), "--json");
      assertThat(deadLetters.out()).contains("400");

      String everything = r.out() + r.err() + deadLetters.out() + deadLetters.err();
      assertThat(everything).doesNotContain(token).doesNotContain(hookSecret);
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void textLogsKeepTheTimeLevelLoggerMessageFormat() throws Exception {
    Path config = ordersConfig("store: { type: memory }");
    Result r = capturingStderr("", "once", "orders", "-c", config.toString(), "--progress", "off",
        "--log-level", "info");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err()).containsPattern(
        "(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO run - run \\S+ of pipeline orders ended SUCCEEDED: 20 read$");
    Result quiet = capturingStderr("", "once", "orders", "-c", config.toString(), "--progress", "off");
    assertThat(quiet.err()).as("once logs warnings only by default").doesNotContain(" INFO ");
  }
}
