package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice once --otlp-endpoint}: the spans of one real run reach a loopback OTLP/HTTP receiver
 * as the tree run → read, run → deliver (observability-metrics.md, Spans; OpenTelemetry span names are
 * the observations' contextual names: {@code run <pipeline>}, {@code read <pipeline>}, {@code deliver <destination>}), and the engine's JSON log
 * lines carry the MDC keys. Needs core's {@code Sluice.Builder.observationRegistry} (branch obs).
 */
class OtlpRunSpanTreeTest {
  @TempDir Path dir;

  @AfterEach
  void resetLogging() {
    Logging.configure(Logging.Format.text, "info");
  }

  record Span(String spanId, String parentSpanId, String name, Map<String, String> attributes) {}

  @Test
  void aRunExportsItsSpanTreeAndItsJsonLogsCarryPipelineRunAndDestination() throws Exception {
    List<byte[]> requests = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/v1/traces", exchange -> {
      try (exchange) {
        requests.add(exchange.getRequestBody().readAllBytes());
        exchange.sendResponseHeaders(200, -1);
      }
    });
    receiver.start();
    PrintStream original = System.err;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    try {
      Files.writeString(dir.resolve("orders.jsonl"), "{\"id\":1}\n{\"id\":2}\n");
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
          """.formatted(dir.resolve("out.jsonl"), dir.resolve("orders.jsonl")));
      System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
      StringWriter out = new StringWriter();
      int exit = SluiceCli.execute(new String[] {"once", "orders", "-c", config.toString(), "--progress", "off",
          "--log-format", "json", "--log-level", "info",
          "--otlp-endpoint", "http://127.0.0.1:" + receiver.getAddress().getPort()},
          new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
      System.setErr(original);
      assertThat(exit).as(out.toString()).isZero();
    } finally {
      System.setErr(original);
      receiver.stop(0);
    }

    List<Span> spans = new ArrayList<>();
    for (byte[] request : requests) {
      for (byte[] rs : OtlpTracingTest.fields(request, 1)) {
        for (byte[] ss : OtlpTracingTest.fields(rs, 2)) {
          for (byte[] s : OtlpTracingTest.fields(ss, 2)) {
            Map<String, String> attrs = new java.util.LinkedHashMap<>();
            for (byte[] kv : OtlpTracingTest.fields(s, 9)) {
              List<byte[]> v = OtlpTracingTest.fields(kv, 2);
              attrs.put(str(kv, 1), v.isEmpty() ? "" : str(v.get(0), 1));
            }
            spans.add(new Span(hex(s, 2), hex(s, 4), str(s, 5), attrs));
          }
        }
      }
    }
    Span run = spans.stream().filter(s -> s.name().equals("run orders")).findFirst()
        .orElseThrow(() -> new AssertionError("no span 'run orders' (observation sluice.run) in " + spans));
    assertThat(run.parentSpanId()).isEmpty();
    assertThat(run.attributes()).containsEntry("pipeline", "orders").containsEntry("status", "succeeded");
    assertThat(spans).anySatisfy(s -> {
      assertThat(s.name()).isEqualTo("read orders");
      assertThat(s.parentSpanId()).isEqualTo(run.spanId());
    });
    assertThat(spans).anySatisfy(s -> {
      assertThat(s.name()).isEqualTo("deliver all");
      assertThat(s.parentSpanId()).isEqualTo(run.spanId());
      assertThat(s.attributes()).containsEntry("destination", "all");
    });

    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : logs.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(mapper.readTree(line));
      }
    }
    assertThat(lines).as("an engine line carries the run's MDC").anySatisfy(l -> {
      assertThat(l.path("logger_name").asText()).startsWith("dev.sluice.internal.engine");
      assertThat(l.path("pipeline").asText()).isEqualTo("orders");
      assertThat(l.path("runId").asText()).isEqualTo(run.attributes().getOrDefault("run.id", l.path("runId").asText()));
      assertThat(l.path("runId").asText()).isNotBlank();
    });
  }

  private static String str(byte[] m, int n) {
    List<byte[]> f = OtlpTracingTest.fields(m, n);
    return f.isEmpty() ? "" : new String(f.get(0), StandardCharsets.UTF_8);
  }

  private static String hex(byte[] m, int n) {
    List<byte[]> f = OtlpTracingTest.fields(m, n);
    return f.isEmpty() ? "" : HexFormat.of().formatHex(f.get(0));
  }
}
