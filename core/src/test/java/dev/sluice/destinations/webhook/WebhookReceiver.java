package dev.sluice.destinations.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real local HTTP server receiving webhook POSTs. A {@link Responder} decides each answer
 * (default 200); every request is kept with its headers and parsed body.
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  record Received(String path, Map<String, List<String>> headers, byte[] body, JsonNode json) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  /** What to answer. */
  record Answer(int status, Map<String, String> headers, String body, long delayMillis) {
    static Answer ok() {
      return new Answer(200, Map.of(), "{\"ok\":true}", 0);
    }

    static Answer status(int status, String body) {
      return new Answer(status, Map.of(), body, 0);
    }
  }

  @FunctionalInterface
  interface Responder {
    Answer answer(Received request) throws Exception;
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  final List<Received> requests = new CopyOnWriteArrayList<>();
  /** Requests answered 2xx. */
  final List<Received> accepted = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private volatile Responder responder = r -> Answer.ok();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  WebhookReceiver respond(Responder value) {
    this.responder = value;
    return this;
  }

  URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      JsonNode json = body.length == 0 ? null : MAPPER.readTree(body);
      Received r = new Received(exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()), body, json);
      requests.add(r);
      Answer a;
      try {
        a = responder.answer(r);
      } catch (Exception e) {
        a = Answer.status(500, "test responder failed: " + e);
      }
      if (a.delayMillis() > 0) {
        try {
          Thread.sleep(a.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (a.status() >= 200 && a.status() < 300) {
        accepted.add(r);
      }
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
