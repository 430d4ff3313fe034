package dev.sluice.destinations.prometheus;

import com.sun.net.httpserver.HttpHandler;
import dev.sluice.destinations.prometheus.internal.PushgatewayClient;
import dev.sluice.destinations.prometheus.internal.SeriesStore;
import dev.sluice.destinations.prometheus.internal.Settings;
import dev.sluice.destinations.prometheus.internal.Settings.PushOn;
import dev.sluice.record.Batch;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * The {@code prometheus} destination: maps each record to samples of the configured metrics
 * (gauges, counters, histograms, summaries) and exposes them for scraping, on its own HTTP port
 * and through {@link #scrapeHandler()} / {@link #scrape(String)} for a host to mount, in the
 * Prometheus text format or OpenMetrics as the scraper's {@code Accept} header asks; and pushes
 * each pipeline's series to a Pushgateway at the end of each run when configured.
 *
 * <p>A record that one mapping can't use (value missing or not a number, a label value that is an
 * object, a new series beyond {@code maxSeriesPerMetric}, a counter going backwards) updates no
 * metric and is reported as a permanent failure naming the metric and the reason, so the engine
 * dead-letters it. Redelivering a batch is harmless for gauges and absolute counters (the same
 * value is set again) and for delta counters within one run (a retried batch's increments are not
 * added twice); histograms and summaries observe a redelivered value again.
 *
 * <p>Create it with {@link PrometheusDestinationProvider}. Thread-safe: {@link #deliver}, {@link
 * #finishRun} and scrapes may run concurrently; a scrape sees each record applied entirely or not
 * at all. Nullability: no method accepts or returns null unless stated.
 */
public final class PrometheusDestination implements Destination, dev.sluice.spi.ConnectionCheck {
  private final String name;
  private final Settings settings;
  private final Logger log;
  private final SeriesStore store;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusProperties properties = properties();
  private final ExpositionFormats formats = ExpositionFormats.init(properties);
  private final PushgatewayClient push;
  private final HTTPServer server;
  private final ExecutorService serverThreads;

  PrometheusDestination(String name, Settings settings, Clock clock, Logger log) {
    this.name = Objects.requireNonNull(name, "name");
    this.settings = settings;
    this.log = log;
    this.store = new SeriesStore(settings, clock);
    registry.register(store);
    this.push = settings.push() == null ? null : new PushgatewayClient(settings.push());
    if (settings.port() >= 0) {
      AtomicInteger n = new AtomicInteger();
      serverThreads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "sluice-prometheus-" + name + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      try {
        server = HTTPServer.builder(properties).hostname(settings.host()).port(settings.port()).registry(registry)
            .executorService(serverThreads).buildAndStart();
      } catch (IOException e) {
        serverThreads.shutdownNow();
        throw new UncheckedIOException("destination '" + name + "' (type prometheus): could not listen on "
            + settings.host() + ":" + settings.port() + " for scrapes: " + e.getMessage(), e);
      }
      log.info("destination '{}' serves Prometheus scrapes on http://{}:{}/metrics", name, settings.host(),
          server.getPort());
    } else {
      server = null;
      serverThreads = null;
    }
  }

  /**
   * A destination built from options, for hosts that embed Sluice, register the instance with
   * {@code Sluice.builder().destination(name, destination)} and mount {@link #scrapeHandler()} on
   * their own server. The options are those of the YAML configuration, as plain Java values.
   *
   * @param name the destination's name, for messages and logs
   * @param options e.g. {@code Map.of("metrics", List.of(Map.of("name", "ga4_sessions", "type",
   *     "gauge", "value", "$.sessions")))}
   * @param clock the host's clock (staleness, created timestamps)
   * @return the destination; it starts its own scrape server only when the options set a port
   * @throws dev.sluice.spi.PluginConfigException when an option is missing or invalid
   */
  public static PrometheusDestination of(String name, java.util.Map<String, ?> options, Clock clock) {
    Settings settings = Settings.parse(dev.sluice.spi.PluginConfig.of(
        "destination '" + name + "' (type prometheus)", options));
    return new PrometheusDestination(name, settings, clock,
        org.slf4j.LoggerFactory.getLogger("sluice.destination." + name));
  }

  /** The library's settings (system properties, prometheus.properties) with created timestamps on. */
  private static PrometheusProperties properties() {
    PrometheusProperties base = PrometheusProperties.get();
    ExporterProperties exporter = ExporterProperties.builder().includeCreatedTimestamps(true)
        .exemplarsOnAllMetricTypes(base.getExporterProperties().getExemplarsOnAllMetricTypes())
        .prometheusTimestampsInMs(base.getExporterProperties().getPrometheusTimestampsInMs()).build();
    return PrometheusProperties.builder()
        .defaultMetricsProperties(base.getDefaultMetricProperties())
        .exemplarProperties(base.getExemplarProperties())
        .exporterProperties(exporter)
        .exporterFilterProperties(base.getExporterFilterProperties())
        .exporterHttpServerProperties(base.getExporterHttpServerProperties())
        .pushgatewayProperties(base.getExporterPushgatewayProperties())
        .exporterOpenTelemetryProperties(base.getExporterOpenTelemetryProperties())
        .openMetrics2Properties(base.getOpenMetrics2Properties())
        .build();
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws Exception {
    DeliveryResult result = store.apply(batch);
    if (push != null && settings.push().pushOn() == PushOn.EVERY_BATCH && !batch.isEmpty()) {
      push.push(batch.pipeline(), store.collect(batch.pipeline()));
    }
    return result;
  }

  /**
   * Ends a run: counts it for {@code staleAfterRuns} when it succeeded, removes stale series, and
   * pushes the pipeline's series to the Pushgateway when one is configured (also after a failed
   * run: what was applied is real).
   *
   * @throws dev.sluice.spi.DeliveryException when the push failed; the series stay and the next
   *     push carries them
   */
  @Override
  public void finishRun(RunInfo run, boolean succeeded) throws Exception {
    int removed = store.finishRun(run.pipeline(), run.runId(), succeeded);
    if (removed > 0) {
      log.info("destination '{}': removed {} stale series after run {} of pipeline '{}'", name, removed,
          run.runId(), run.pipeline());
    }
    if (push != null) {
      push.push(run.pipeline(), store.collect(run.pipeline()));
      log.debug("destination '{}': pushed pipeline '{}' to the Pushgateway", name, run.pipeline());
    }
  }

  /**
   * A handler serving the exposition (Prometheus text, OpenMetrics or protobuf by the request's
   * {@code Accept} header), for a host to mount on its own {@code com.sun.net.httpserver}
   * server, e.g. at {@code /metrics}. Each call returns a new handler over the same series.
   *
   * @return a new handler
   */
  public HttpHandler scrapeHandler() {
    return new MetricsHandler(properties, registry);
  }

  /**
   * The exposition for a scraper that sent {@code accept} as its {@code Accept} header, for hosts
   * whose HTTP server is not the JDK's.
   *
   * @param accept the header, or null for the Prometheus text format
   * @return the content type and the bytes
   */
  public Exposition scrape(String accept) {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Exposition(writer.getContentType(), out.toByteArray());
  }

  /**
   * The port of the own scrape server (the bound one when configured as 0), or empty without one.
   *
   * @return the port, or empty
   */
  public OptionalInt port() {
    return server == null ? OptionalInt.empty() : OptionalInt.of(server.getPort());
  }

  /**
   * How many series {@code metric} has now (for monitoring and tests).
   *
   * @param metric a configured metric's name (a counter's without {@code _total})
   * @return the number of series, at least 0
   * @throws IllegalArgumentException when no mapping has that name
   */
  public int seriesCount(String metric) {
    return store.seriesCount(metric);
  }

  /** Stops the own scrape server. Idempotent. */
  @Override
  public void close() {
    if (server != null) {
      server.close();
      serverThreads.shutdownNow();
    }
  }

  /**
   * With a Pushgateway: its readiness probe ({@code GET /-/ready}) with the configured
   * credentials; nothing is pushed. Without one there is nothing remote (Prometheus scrapes this
   * process), so the answer is "unsupported".
   *
   * @param timeout the request's deadline
   * @return ok, failed (naming the Pushgateway without its credentials) or unsupported
   * @throws InterruptedException when interrupted while waiting for the Pushgateway
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) throws InterruptedException {
    String what = "prometheus destination '" + name + "'";
    if (push == null) {
      return dev.sluice.spi.ConnectionCheckResult.unsupported(what + ": no Pushgateway configured; Prometheus scrapes"
          + " this process, so there is nothing remote to check");
    }
    java.util.Map<String, String> details = java.util.Map.of("pushgateway", settings.push().safeUrl());
    String problem = push.ready(timeout);
    return problem == null
        ? dev.sluice.spi.ConnectionCheckResult.ok(what + ": the Pushgateway at " + settings.push().safeUrl()
            + " is ready; nothing was pushed", details)
        : dev.sluice.spi.ConnectionCheckResult.failed(what + ": " + problem, details);
  }

  @Override
  public String toString() {
    return "PrometheusDestination{" + name + ", metrics=" + settings.metrics().size()
        + (server != null ? ", port=" + server.getPort() : "")
        + (settings.push() != null ? ", " + settings.push() : "") + "}";
  }

  /**
   * One rendered exposition.
   *
   * @param contentType the {@code Content-Type} to answer with
   * @param body the bytes
   */
  public record Exposition(String contentType, byte[] body) {
    /**
     * Checks the components.
     *
     * @param contentType the {@code Content-Type} to answer with
     * @param body the bytes (not copied)
     * @throws NullPointerException when a component is null
     */
    public Exposition {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(body, "body");
    }
  }
}
