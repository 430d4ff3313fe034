package dev.sluice.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Prometheus scrape endpoint of {@code sluice run --metrics-port}: Sluice's own Micrometer meters
 * (handed to the engine as its {@code MeterRegistry}) plus the JVM's memory, thread and uptime meters, served at {@code GET
 * /metrics} by the JDK's HTTP server on one port.
 *
 * <p>The Prometheus text format (0.0.4) by default; OpenMetrics 1.0 when the scraper's {@code Accept}
 * header asks for {@code application/openmetrics-text}. Other paths answer 404, other methods 405.
 * The endpoint is meant for a loopback or private-network scraper: it has no authentication, so the
 * host defaults to 127.0.0.1 and binding elsewhere is the user's explicit choice. Meters carry no
 * record data (only pipeline, destination, rule and status names), and no secret.
 *
 * <p>Thread-safe; {@link #close()} stops the server (waiting at most one second for a scrape in
 * flight) and closes the registry.
 */
final class MetricsEndpoint implements AutoCloseable {
  static final String PATH = "/metrics";

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server, ExecutorService executor) {
    this.registry = registry;
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code host:port} (port 0: any free port) and starts serving.
   *
   * @throws UncheckedIOException naming the address when it cannot be bound (in use, not local)
   */
  static MetricsEndpoint start(String host, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metrics-port " + port + " is not a port (0-65535)");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterDescriptions());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
    } catch (IOException e) {
      registry.close();
      throw new UncheckedIOException(
          "--metrics-host/--metrics-port: cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/", handler(registry));
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sluice-metrics");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return new MetricsEndpoint(registry, server, executor);
  }

  /**
   * The {@code /metrics} handler on its own, for a server that mounts it on its port (the HTTP server
   * of a later issue): answers {@value #PATH} and 404 elsewhere, as described above.
   */
  static com.sun.net.httpserver.HttpHandler handler(PrometheusMeterRegistry registry) {
    return exchange -> serve(registry, exchange);
  }

  private static void serve(PrometheusMeterRegistry registry, HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(PATH)) {
        reply(exchange, 404, "text/plain; charset=utf-8", "not found; metrics are at " + PATH + "\n");
        return;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      String type = accept != null && accept.contains("application/openmetrics-text")
          ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
          : "text/plain; version=0.0.4; charset=utf-8";
      reply(exchange, 200, type, registry.scrape(type));
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The registry to hand to {@code Sluice.builder().meterRegistry(...)}. */
  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The bound address; with port 0 the port the system chose. */
  InetSocketAddress address() {
    return server.getAddress();
  }

  /** {@code http://host:port/metrics}, for the start-up line. */
  String url() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + PATH;
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
    registry.close();
  }
}
