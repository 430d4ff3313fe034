package dev.sluice.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example application on a real port (loopback): it starts with the pipelines of its
 * application.yaml, the file pipeline runs, a signed webhook POST starts a run, and the actuator
 * reports Sluice UP and lists the runs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "server.address=127.0.0.1")
@Timeout(120)
class OrdersApplicationTest {
  /** Made at test time, never committed. */
  private static final String SECRET = "whk-" + UUID.randomUUID();
  private static Path dataDir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    try {
      dataDir = Files.createTempDirectory("sluice-spring-boot-example");
      Files.writeString(dataDir.resolve("orders.jsonl"), """
          {"id":"o-1","status":"paid","amount":120}
          {"id":"o-2","status":"paid","amount":2400}
          {"id":"o-3","status":"refunded","amount":75}
          """, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    registry.add("app.data-dir", dataDir::toString);
    registry.add("app.orders-file", () -> dataDir.resolve("orders.jsonl").toString());
    registry.add("spring.datasource.url", () -> "jdbc:h2:mem:example-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    registry.add("ORDERS_WEBHOOK_SECRET", () -> SECRET);
  }

  @LocalServerPort int port;
  @Autowired Sluice sluice;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String sign(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  private RunRecord awaitRun(String runId) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      var run = sluice.store().runs().find(runId);
      if (run.isPresent() && run.get().status().isFinal()) {
        return run.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("run " + runId + " did not finish");
  }

  @Test
  void theApplicationRunsItsPipelinesServesWebhooksAndReportsHealth() throws Exception {
    assertThat(sluice.pipelineNames()).containsExactly("orders", "order-events");
    assertThat(sluice.isStarted()).isTrue();
    assertThat(sluice.store()).as("the application's DataSource is the store").isInstanceOf(JdbcStore.class);

    // The file pipeline of application.yaml.
    RunReport report = sluice.run("orders");
    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.recordsRead()).isEqualTo(3);
    assertThat(Files.readAllLines(dataDir.resolve("out/big-orders.jsonl"))).singleElement().asString().contains("o-2");
    assertThat(Files.readAllLines(dataDir.resolve("out/orders.csv"))).contains("o-1,paid,120", "o-3,refunded,75");

    // The application's own controller starts a run through the injected Sluice.
    HttpResponse<String> started = send(HttpRequest.newBuilder(uri("/runs/orders")).POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(started.statusCode()).isEqualTo(202);
    assertThat(awaitRun(json.readTree(started.body()).path("runId").asText()).status()).isEqualTo(RunStatus.SUCCEEDED);

    // A signed webhook over real HTTP.
    String event = "{\"id\":\"evt-1\",\"order\":\"o-2\",\"type\":\"order.shipped\"}";
    HttpResponse<String> accepted = send(HttpRequest.newBuilder(uri("/hooks/orders"))
        .header("Content-Type", "application/json").header("X-Signature", sign(SECRET, event))
        .POST(HttpRequest.BodyPublishers.ofString(event)));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String runId = json.readTree(accepted.body()).path("runId").asText();
    RunRecord run = awaitRun(runId);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.trigger()).isEqualTo("webhook /hooks/orders");
    assertThat(Files.readString(dataDir.resolve("out/order-events.jsonl"))).contains("order.shipped");

    // A wrong signature is refused and starts nothing.
    HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/hooks/orders"))
        .header("Content-Type", "application/json").header("X-Signature", sign("not-" + SECRET, event))
        .POST(HttpRequest.BodyPublishers.ofString(event)));
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).doesNotContain(SECRET);

    // Actuator: health UP with a sluice component, and the sluice endpoint lists pipelines and runs.
    HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/actuator/health")).GET());
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode h = json.readTree(health.body());
    assertThat(h.path("status").asText()).isEqualTo("UP");
    assertThat(h.path("components").path("sluice").path("status").asText()).isEqualTo("UP");
    assertThat(h.path("components").path("db").path("status").asText()).isEqualTo("UP");

    HttpResponse<String> endpoint = send(HttpRequest.newBuilder(uri("/actuator/sluice")).GET());
    assertThat(endpoint.statusCode()).isEqualTo(200);
    JsonNode pipelines = json.readTree(endpoint.body()).path("pipelines");
    assertThat(pipelines.path("orders").path("recentRuns")).hasSize(2);
    assertThat(pipelines.path("order-events").path("triggers").get(0).asText()).isEqualTo("webhook /hooks/orders");
    assertThat(pipelines.path("order-events").path("recentRuns").get(0).path("id").asText()).isEqualTo(runId);
    assertThat(endpoint.body()).doesNotContain(SECRET);
  }
}
