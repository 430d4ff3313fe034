package dev.sluice.cli;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.micrometer.tracing.otel.bridge.Slf4JEventListener;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry bridge of {@code --otlp-endpoint}: a Micrometer {@link ObservationRegistry} whose
 * observations become OpenTelemetry spans (micrometer-tracing-bridge-otel), batched and exported over
 * OTLP/HTTP (protobuf) to a collector, Jaeger, Tempo or any OTLP receiver.
 *
 * <p>Spans carry the observation's low-cardinality keys (pipeline, destination, status) as
 * attributes; the resource has {@code service.name=sluice} (override with the standard
 * {@code OTEL_SERVICE_NAME} environment variable). While a span is current its {@code traceId} and
 * {@code spanId} are in the logging MDC, so {@code --log-format json} lines can be joined to traces.
 * Off unless the option is given: without it the engine runs with {@code ObservationRegistry.NOOP}.
 *
 * <p>Thread-safe. {@link #close()} flushes the spans not yet exported (waiting at most ten
 * seconds) and shuts the exporter down; the endpoint's credentials are never logged (only its
 * scheme, host and port appear in messages).
 */
final class OtlpTracing implements AutoCloseable {
  /**
   * Puts {@code traceId}/{@code spanId} in the MDC whenever a span's context is attached to a thread.
   * OpenTelemetry's context storage takes wrappers once, process-wide, before its first use: added
   * when this class loads, that is the first time --otlp-endpoint is used.
   */
  private static final Slf4JEventListener MDC_LISTENER = new Slf4JEventListener();

  static {
    io.opentelemetry.context.ContextStorage.addWrapper(
        new io.micrometer.tracing.otel.bridge.EventPublishingContextWrapper(MDC_LISTENER::onEvent));
  }

  private final SdkTracerProvider provider;
  private final ObservationRegistry registry;

  private OtlpTracing(SdkTracerProvider provider, ObservationRegistry registry) {
    this.provider = provider;
    this.registry = registry;
  }

  /**
   * Validates {@code endpoint} and builds the bridge. An endpoint without a path (or {@code /}) gets
   * the OTLP/HTTP traces path {@code /v1/traces}; one with a path is used as given.
   *
   * @throws IllegalArgumentException when the endpoint is not an absolute http(s) URL
   */
  static OtlpTracing start(String endpoint) {
    var exporter = OtlpHttpSpanExporter.builder().setEndpoint(tracesUrl(endpoint));
    headers(System.getenv("OTEL_EXPORTER_OTLP_HEADERS")).forEach(exporter::addHeader);
    return start(endpoint, exporter.build());
  }

  /**
   * The OpenTelemetry {@code OTEL_EXPORTER_OTLP_HEADERS} format: {@code key=value} pairs separated
   * by commas, values URL-encoded. Values (tokens) never appear in the error message.
   */
  static java.util.Map<String, String> headers(String spec) {
    java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return headers;
    }
    for (String pair : spec.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs separated by commas");
      }
      headers.put(pair.substring(0, eq).trim(),
          java.net.URLDecoder.decode(pair.substring(eq + 1).trim(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return headers;
  }

  /** Builds the bridge around any exporter (tests hand in their own). */
  static OtlpTracing start(String endpoint, SpanExporter exporter) {
    String service = System.getenv().getOrDefault("OTEL_SERVICE_NAME", "sluice");
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service))))
        .setSampler(Sampler.alwaysOn())
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
    OtelCurrentTraceContext context = new OtelCurrentTraceContext();
    Slf4JEventListener mdc = MDC_LISTENER;
    OtelTracer tracer = new OtelTracer(
        provider.get("dev.sluice"), context, mdc::onEvent, new OtelBaggageManager(context, List.of(), List.of()));
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
    return new OtlpTracing(provider, registry);
  }

  /** {@code endpoint} as the full OTLP/HTTP traces URL. */
  static String tracesUrl(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--otlp-endpoint is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "--otlp-endpoint must be an absolute http(s) URL such as http://127.0.0.1:4318, not '"
              + (uri.getHost() == null ? scheme + ":…" : scheme + "://" + uri.getHost()) + "'");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("--otlp-endpoint must not carry user:password; "
          + "give the collector's credentials through OTEL_EXPORTER_OTLP_HEADERS instead");
    }
    String path = uri.getRawPath();
    return path == null || path.isEmpty() || path.equals("/")
        ? endpoint.replaceAll("/+$", "") + "/v1/traces"
        : endpoint;
  }

  /** The registry to hand to the engine's builder ({@code observationRegistry(...)}). */
  ObservationRegistry observationRegistry() {
    return registry;
  }

  @Override
  public void close() {
    provider.forceFlush().join(10, TimeUnit.SECONDS);
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
