package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * {@code --otlp-endpoint}: observations become OpenTelemetry spans exported over OTLP/HTTP to a
 * loopback receiver. The receiver decodes the protobuf {@code ExportTraceServiceRequest} as the
 * OTLP specification defines it (opentelemetry-proto, trace/v1/trace.proto: ResourceSpans=1 →
 * ScopeSpans=2 → Span=2; Span: trace_id=1, span_id=2, parent_span_id=4, name=5, attributes=9;
 * KeyValue: key=1, value=2; AnyValue: string_value=1), POSTed to {@code /v1/traces} with
 * {@code Content-Type: application/x-protobuf} (OTLP/HTTP, opentelemetry.io/docs/specs/otlp).
 */
class OtlpTracingTest {
  private HttpServer receiver;
  private final List<byte[]> requests = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/v1/traces", exchange -> {
      try (exchange) {
        contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
        requests.add(exchange.getRequestBody().readAllBytes());
        exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
      }
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  record Span(String traceId, String spanId, String parentSpanId, String name, Map<String, String> attributes) {}

  @Test
  void observationsOfARunArriveAsATreeOfSpansAtTheOtlpReceiver() {
    String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort();
    List<String> traceIdsInMdc = new ArrayList<>();
    try (OtlpTracing tracing = OtlpTracing.start(endpoint)) {
      ObservationRegistry registry = tracing.observationRegistry();
      // The shape the engine produces (observability-metrics.md, Spans): run → read, run → deliver → retry,
      // parents passed explicitly as the engine does across threads.
      Observation run = Observation.createNotStarted("sluice.run", registry)
          .lowCardinalityKeyValue("pipeline", "orders").lowCardinalityKeyValue("trigger", "api").start();
      Observation read = Observation.createNotStarted("sluice.read", registry).parentObservation(run)
          .lowCardinalityKeyValue("pipeline", "orders").lowCardinalityKeyValue("source", "file").start();
      read.stop();
      Observation deliver = Observation.createNotStarted("sluice.deliver", registry).parentObservation(run)
          .lowCardinalityKeyValue("pipeline", "orders").lowCardinalityKeyValue("destination", "crm").start();
      Observation retry = Observation.createNotStarted("sluice.deliver.retry", registry).parentObservation(deliver)
          .lowCardinalityKeyValue("destination", "crm").highCardinalityKeyValue("attempt", "2").start();
      try (Observation.Scope scope = retry.openScope()) {
        traceIdsInMdc.add(MDC.get("traceId")); // log lines written here carry the trace
      }
      retry.error(new IllegalStateException("HTTP 503"));
      retry.stop();
      deliver.stop();
      run.stop();
    } // close() flushes the batch processor

    assertThat(requests).as("the exporter posted to /v1/traces").isNotEmpty();
    assertThat(contentTypes).allSatisfy(t -> assertThat(t).isEqualTo("application/x-protobuf"));
    List<Span> spans = new ArrayList<>();
    String service = null;
    for (byte[] request : requests) {
      for (byte[] resourceSpans : fields(request, 1)) {
        for (byte[] resource : fields(resourceSpans, 1)) {
          Map<String, String> attrs = attributes(resource, 1);
          service = attrs.getOrDefault("service.name", service);
        }
        for (byte[] scopeSpans : fields(resourceSpans, 2)) {
          for (byte[] span : fields(scopeSpans, 2)) {
            spans.add(new Span(hex(span, 1), hex(span, 2), hex(span, 4), string(span, 5), attributes(span, 9)));
          }
        }
      }
    }
    assertThat(service).isEqualTo("sluice");
    assertThat(spans).extracting(Span::name)
        .containsExactlyInAnyOrder("sluice.run", "sluice.read", "sluice.deliver", "sluice.deliver.retry");
    Map<String, Span> byName = new LinkedHashMap<>();
    spans.forEach(s -> byName.put(s.name(), s));
    Span runSpan = byName.get("sluice.run");
    assertThat(runSpan.parentSpanId()).as("the run is a root span").isEmpty();
    assertThat(byName.get("sluice.read").parentSpanId()).isEqualTo(runSpan.spanId());
    assertThat(byName.get("sluice.deliver").parentSpanId()).isEqualTo(runSpan.spanId());
    assertThat(byName.get("sluice.deliver.retry").parentSpanId()).isEqualTo(byName.get("sluice.deliver").spanId());
    assertThat(spans).extracting(Span::traceId).containsOnly(runSpan.traceId());
    assertThat(runSpan.attributes()).containsEntry("pipeline", "orders").containsEntry("trigger", "api");
    assertThat(byName.get("sluice.deliver.retry").attributes())
        .containsEntry("destination", "crm").containsEntry("attempt", "2");
    assertThat(traceIdsInMdc).containsExactly(runSpan.traceId());
  }

  @Test
  void theEndpointIsValidatedAndGetsTheTracesPath() {
    assertThat(OtlpTracing.tracesUrl("http://127.0.0.1:4318")).isEqualTo("http://127.0.0.1:4318/v1/traces");
    assertThat(OtlpTracing.tracesUrl("http://127.0.0.1:4318/")).isEqualTo("http://127.0.0.1:4318/v1/traces");
    assertThat(OtlpTracing.tracesUrl("https://otel.internal/custom/traces"))
        .isEqualTo("https://otel.internal/custom/traces");
    assertThatThrownBy(() -> OtlpTracing.tracesUrl("collector:4318"))
        .hasMessageContaining("--otlp-endpoint must be an absolute http(s) URL");
    assertThatThrownBy(() -> OtlpTracing.tracesUrl("http://user:hunter2-secret@127.0.0.1:4318"))
        .hasMessageContaining("must not carry user:password")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2-secret"));
    assertThat(OtlpTracing.headers("Authorization=Bearer%20tok_123,x-tenant=acme"))
        .containsExactly(Map.entry("Authorization", "Bearer tok_123"), Map.entry("x-tenant", "acme"));
    assertThatThrownBy(() -> OtlpTracing.headers("tok_123_secret"))
        .hasMessageContaining("OTEL_EXPORTER_OTLP_HEADERS")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tok_123_secret"));
  }

  // --- a minimal protobuf reader: enough of the wire format for the fields above ---

  /** The length-delimited values of field {@code number} in {@code message}, in order. */
  static List<byte[]> fields(byte[] message, int number) {
    List<byte[]> found = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < message.length) {
      long key = varint(message, pos);
      int field = (int) (key >>> 3);
      int wire = (int) (key & 7);
      switch (wire) {
        case 0 -> varint(message, pos);
        case 1 -> pos[0] += 8;
        case 5 -> pos[0] += 4;
        case 2 -> {
          int len = (int) varint(message, pos);
          if (field == number) {
            byte[] value = new byte[len];
            System.arraycopy(message, pos[0], value, 0, len);
            found.add(value);
          }
          pos[0] += len;
        }
        default -> throw new IllegalStateException("unexpected wire type " + wire);
      }
    }
    return found;
  }

  private static long varint(byte[] b, int[] pos) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte next = b[pos[0]++];
      value |= (long) (next & 0x7f) << shift;
      if ((next & 0x80) == 0) {
        return value;
      }
    }
  }

  private static String string(byte[] message, int number) {
    List<byte[]> f = fields(message, number);
    return f.isEmpty() ? "" : new String(f.get(0), StandardCharsets.UTF_8);
  }

  private static String hex(byte[] message, int number) {
    List<byte[]> f = fields(message, number);
    return f.isEmpty() ? "" : HexFormat.of().formatHex(f.get(0));
  }

  /** KeyValue list (field {@code number}) with string values. */
  private static Map<String, String> attributes(byte[] message, int number) {
    Map<String, String> attrs = new LinkedHashMap<>();
    for (byte[] kv : fields(message, number)) {
      List<byte[]> value = fields(kv, 2);
      attrs.put(string(kv, 1), value.isEmpty() ? "" : string(value.get(0), 1));
    }
    return attrs;
  }

  static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
