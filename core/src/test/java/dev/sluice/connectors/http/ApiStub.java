package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on loopback standing in for a vendor API: each path has a handler that answers
 * from the request; every request is kept (raw path, decoded query, headers, body) for assertions.
 */
final class ApiStub implements AutoCloseable {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** One request as received. */
  record Received(String method, String path, String rawQuery, Map<String, String> query,
      Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    String param(String name) {
      return query.get(name);
    }

    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** An answer. */
  record Answer(int status, Map<String, String> headers, String body) {
    static Answer json(Object body) {
      try {
        return new Answer(200, Map.of("Content-Type", "application/json"),
            body instanceof String s ? s : MAPPER.writeValueAsString(body));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    static Answer status(int status, String body) {
      return new Answer(status, Map.of("Content-Type", "application/json"), body);
    }

    Answer header(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Answer(status, h, body);
    }
  }

  @FunctionalInterface
  interface Handler {
    Answer answer(Received request) throws Exception;
  }

  final List<Received> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  ApiStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  ApiStub on(String path, Handler handler) {
    handlers.put(path, handler);
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  URI uri(String path) {
    return URI.create(url() + path);
  }

  List<Received> requestsTo(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      URI uri = exchange.getRequestURI();
      Map<String, String> query = new LinkedHashMap<>();
      if (uri.getRawQuery() != null) {
        for (String pair : uri.getRawQuery().split("&")) {
          int eq = pair.indexOf('=');
          String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          query.putIfAbsent(k, v);
        }
      }
      Received received = new Received(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), query,
          Map.copyOf(exchange.getRequestHeaders()), body);
      requests.add(received);
      Handler handler = handlers.get(uri.getRawPath());
      Answer answer;
      try {
        answer = handler == null ? Answer.status(404, "{\"error\":\"no such path\"}") : handler.answer(received);
      } catch (Exception e) {
        answer = Answer.status(500, "{\"error\":\"stub failed: " + e + "\"}");
      }
      // "Link#2" adds a second Link header line
      answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k.replaceFirst("#.*$", ""), v));
      byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
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
