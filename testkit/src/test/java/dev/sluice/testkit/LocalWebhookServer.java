package dev.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP endpoint for the webhook destination's contract tests: keeps the data of what it
 * accepts with its idempotency key (kept as received: a repeat is kept twice), answers 503 during an
 * outage and 422 to items whose data has {@code "reject": true}.
 */
final class LocalWebhookServer implements AutoCloseable {
  private final ObjectMapper mapper = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<ObjectNode> received = new ArrayList<>();
  private final List<String> idempotencyKeys = new ArrayList<>();
  private volatile boolean outage;

  LocalWebhookServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/hook", this::handle);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  synchronized List<ObjectNode> received() {
    return new ArrayList<>(received);
  }

  /** The idempotency key of each item of {@link #received()}: the envelope's, else the header's. */
  synchronized List<String> receivedIdempotencyKeys() {
    return new ArrayList<>(idempotencyKeys);
  }

  AutoCloseable outage() {
    outage = true;
    return () -> outage = false;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode body = mapper.readTree(exchange.getRequestBody());
      if (outage) {
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      List<JsonNode> items = new ArrayList<>();
      if (body.isArray()) {
        body.forEach(items::add);
      } else {
        items.add(body);
      }
      for (JsonNode item : items) {
        JsonNode data = item.has("data") ? item.get("data") : item;
        if (data.path("reject").asBoolean()) {
          exchange.sendResponseHeaders(422, -1);
          return;
        }
      }
      String header = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      synchronized (this) {
        for (JsonNode i : items) {
          received.add((ObjectNode) (i.has("data") ? i.get("data") : i));
          idempotencyKeys.add(i.has("idempotencyKey") ? i.get("idempotencyKey").asText() : header);
        }
      }
      exchange.sendResponseHeaders(204, -1);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
