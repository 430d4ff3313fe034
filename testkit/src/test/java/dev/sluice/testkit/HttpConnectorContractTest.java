package dev.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.connectors.http.HttpConnectorProvider;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.internal.Json;
import dev.sluice.record.Checkpoint;
import dev.sluice.spi.Connector;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginKind;
import dev.sluice.store.InMemoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/**
 * The built-in http connector passes the connector contract in incremental mode, plain and with
 * partitions from a parent request, against a stub API on loopback that filters {@code
 * updated_since} inclusively and pages by two, sorted ascending.
 */
class HttpConnectorContractTest {

  abstract static class Mode extends ConnectorContract {
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    Mode() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(pool);
      server.createContext("/", this::handle);
      server.start();
    }

    @AfterEach
    void stop() {
      server.stop(0);
      pool.shutdownNow();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    abstract String options();

    @Override
    protected Connector createConnector() throws Exception {
      ObjectNode options = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree("baseUrl: " + url() + "\n" + options());
      return new HttpConnectorProvider().create(new PluginConfig("contract source (type http)", options),
          new DefaultPluginContext("contract", PluginKind.CONNECTOR, Clock.systemUTC(), new SimpleMeterRegistry(),
              Json.newMapper(), new InMemoryStore()));
    }

    /** Seven items per project, updated a minute apart; /projects lists two projects. */
    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        Map<String, String> q = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
          for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
          }
        }
        String path = exchange.getRequestURI().getPath();
        ArrayNode data = JsonNodeFactory.instance.arrayNode();
        if (path.equals("/projects")) {
          data.addObject().put("id", "alpha");
          data.addObject().put("id", "beta");
        } else {
          String project = path.startsWith("/projects/") ? path.split("/")[2] : "all";
          Instant since = q.containsKey("updated_since") ? Instant.parse(q.get("updated_since")) : Instant.MIN;
          int page = Integer.parseInt(q.getOrDefault("page", "1"));
          int skip = (page - 1) * 2;
          for (int i = 1; i <= 7; i++) {
            Instant updated = Instant.parse("2026-01-01T10:00:00Z").plusSeconds(60L * i);
            if (!updated.isBefore(since) && skip-- <= 0 && data.size() < 2) {
              data.addObject().put("id", project + "-" + i).put("updated_at", updated.toString());
            }
          }
        }
        byte[] body = new ObjectMapper().writeValueAsBytes(JsonNodeFactory.instance.objectNode().set("data", data));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private static final String RECORDS = """
      records: { path: $.data, key: id }
      pagination: { type: page, size: 2 }
      incremental: { field: updated_at, param: updated_since }
      """;

  @Nested
  class Incremental extends Mode {
    Incremental() throws IOException {
      super();
    }

    @Override
    String options() {
      return "path: /items\n" + RECORDS;
    }

    @Override
    protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
      return Checkpoint.of(((ObjectNode) last.state()).put("cursor", "2099-01-01T00:00:00Z"));
    }
  }

  @Nested
  class PartitionedByAParentRequest extends Mode {
    PartitionedByAParentRequest() throws IOException {
      super();
    }

    @Override
    String options() {
      return "path: /projects/{partition}/items\n" + RECORDS
          + "partitions: { type: request, value: id, request: { path: /projects, records: { path: $.data } } }\n";
    }

    @Override
    protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
      ObjectNode state = ((ObjectNode) last.state()).deepCopy();
      for (JsonNode partition : state.get("partitions")) {
        ((ObjectNode) partition).put("cursor", "2099-01-01T00:00:00Z");
      }
      return Checkpoint.of(state);
    }
  }
}
