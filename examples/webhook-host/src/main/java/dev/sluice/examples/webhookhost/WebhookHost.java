package dev.sluice.examples.webhookhost;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.Sluice;
import dev.sluice.schedule.WebhookHandler;
import dev.sluice.schedule.WebhookResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * How a host mounts Sluice's webhooks in an HTTP server it already runs: one context forwards
 * method, path, headers and the raw body stream to {@link WebhookHandler}, and writes back what
 * it answers. The same few lines work in a servlet or a controller; nothing here is specific to
 * Sluice but the one {@code handle} call.
 *
 * <p>Closing stops the server, then Sluice (which stops its triggers before its runs).
 */
public final class WebhookHost implements AutoCloseable {
  private final Sluice sluice;
  private final HttpServer server;
  private final ExecutorService threads;

  private WebhookHost(Sluice sluice, HttpServer server, ExecutorService threads) {
    this.sluice = sluice;
    this.server = server;
    this.threads = threads;
  }

  /**
   * Starts {@code sluice} and serves its webhooks under {@code /hooks/} on {@code address}.
   *
   * @param address port 0 picks a free port; see {@link #port()}
   */
  public static WebhookHost serve(Sluice sluice, InetSocketAddress address) throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    WebhookHandler webhooks = sluice.webhooks();
    server.createContext("/hooks/", exchange -> forward(webhooks, exchange));
    server.setExecutor(threads);
    sluice.start();
    server.start();
    return new WebhookHost(sluice, server, threads);
  }

  private static void forward(WebhookHandler webhooks, HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      // The handler reads at most its size limit from the stream, and never throws for bad input.
      WebhookResponse response = webhooks.handle(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders(), body);
      response.headers().forEach(exchange.getResponseHeaders()::set);
      exchange.getResponseHeaders().set("Content-Type", WebhookResponse.CONTENT_TYPE);
      byte[] bytes = response.bodyBytes();
      exchange.sendResponseHeaders(response.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public Sluice sluice() {
    return sluice;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    sluice.close();
  }
}
