package dev.sluice.cli;

import dev.sluice.Sluice;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * The observability options of the commands that run pipelines ({@code run}, {@code once}; the HTTP
 * server of a later issue takes the same ones): logs format and level, the Prometheus scrape
 * endpoint, the OpenTelemetry exporter. Everything is off by default except text logs.
 *
 * <p>{@link #start} configures logging, binds the endpoint and builds the tracing bridge, then wires
 * them into the engine's builder; {@link #close} undoes it. Not thread-safe: one command, one thread.
 */
final class ObservabilityOptions implements AutoCloseable {
  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (time level logger - message) or json (one JSON object per line, with the MDC keys"
          + " pipeline, runId, destination). Logs go to standard error. Default: ${DEFAULT-VALUE}.")
  Logging.Format logFormat;

  @Option(names = "--log-level", paramLabel = "LEVEL",
      description = "${COMPLETION-CANDIDATES}. Default: info for run, warn otherwise"
          + " (or the system property sluice.log.level).")
  Logging.Level logLevel;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Sluice's own metrics for Prometheus at http://HOST:PORT/metrics (0: any free port)."
          + " Off by default.")
  Integer metricsPort;

  @Option(names = "--metrics-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "The address the metrics endpoint binds; it has no authentication, so it binds loopback"
          + " unless told otherwise (0.0.0.0: every interface). Default: ${DEFAULT-VALUE}.")
  String metricsHost;

  @Option(names = "--otlp-endpoint", paramLabel = "URL",
      description = "Export traces (a span per run, page, delivery batch and retry) over OTLP/HTTP to this"
          + " collector, e.g. http://127.0.0.1:4318. Off by default.")
  String otlpEndpoint;

  private MetricsEndpoint metrics;
  private OtlpTracing tracing;

  /**
   * Starts the metrics endpoint and tracing and wires them into {@code builder} (call {@link
   * #configureLogging} first).
   */
  Sluice.Builder start(Sluice.Builder builder, boolean run, PrintWriter out) {
    try {
      if (metricsPort != null) {
        metrics = MetricsEndpoint.start(metricsHost, metricsPort);
        builder.meterRegistry(metrics.registry());
        out.println("sluice: metrics at " + metrics.url());
      }
      if (otlpEndpoint != null) {
        tracing = OtlpTracing.start(otlpEndpoint);
        builder.observationRegistry(tracing.observationRegistry());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    return builder;
  }

  /** Only the logging part (commands that do not build an engine). */
  void configureLogging(boolean run) {
    Logging.configure(logFormat, logLevel != null ? logLevel.name() : Logging.defaultLevel(run));
  }

  /** The running endpoint, or null without {@code --metrics-port}. */
  MetricsEndpoint metrics() {
    return metrics;
  }

  /** The tracing bridge, or null without {@code --otlp-endpoint}. */
  OtlpTracing tracing() {
    return tracing;
  }

  @Override
  public void close() {
    try {
      if (tracing != null) {
        tracing.close();
      }
    } finally {
      tracing = null;
      if (metrics != null) {
        metrics.close();
      }
      metrics = null;
    }
  }
}
