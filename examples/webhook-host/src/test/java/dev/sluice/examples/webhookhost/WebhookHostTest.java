package dev.sluice.examples.webhookhost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.RunRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The example host on a real local port, fed GitHub push deliveries the way GitHub signs them. */
@Timeout(60)
class WebhookHostTest {
  private static final String SECRET = "example-secret-for-tests";
  // A push payload in GitHub's documented shape, trimmed to what the pipeline uses.
  private static final String PUSH = """
      {"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246",
       "after":"0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
       "repository":{"full_name":"acme/shop"},
       "commits":[
         {"id":"a1b2c3","message":"Fix rounding of order totals","author":{"name":"Ada"}},
         {"id":"d4e5f6","message":"Add currency column","author":{"name":"Grace"}}]}
      """;

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private WebhookHost host;

  @BeforeEach
  void serve() throws Exception {
    host = WebhookHost.serve(WebhookHostMain.sluice(dir, SECRET),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void close() {
    host.close();
  }

  private static String sign(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> post(String path, String signature, String delivery, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + path))
        .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header("X-Hub-Signature-256", signature);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private RunRecord awaitRun(String runId) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      var run = host.sluice().store().runs().find(runId);
      if (run.isPresent() && run.get().status().isFinal()) {
        return run.get();
      }
      Thread.sleep(5);
    }
    throw new AssertionError("run " + runId + " did not end");
  }

  @Test
  void aSignedPushBecomesOneRecordPerCommit() throws Exception {
    HttpResponse<String> response = post("/hooks/github", sign(SECRET, PUSH), "72d3162e-cc78-11e3-81ab-4c9367dc0958", PUSH);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    JsonNode body = json.readTree(response.body());
    RunRecord run = awaitRun(body.get("runId").asText());
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.recordsRead()).isEqualTo(2);
    assertThat(run.details().path("ruleMatches").path("fixes").asLong()).as("one commit mentions a fix").isEqualTo(1);

    List<String> lines = Files.readAllLines(dir.resolve("out/commits.jsonl"));
    assertThat(lines).hasSize(2);
    assertThat(json.readTree(lines.get(0)).get("message").asText()).isEqualTo("Fix rounding of order totals");
    assertThat(json.readTree(lines.get(1)).get("author").get("name").asText()).isEqualTo("Grace");
  }

  @Test
  void wrongSignaturesReplaysAndStrangersAreTurnedAway() throws Exception {
    HttpResponse<String> forged = post("/hooks/github", sign("guessed", PUSH), "d-1", PUSH);
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.body()).doesNotContain(SECRET);

    assertThat(post("/hooks/github", null, "d-2", PUSH).statusCode()).isEqualTo(401);
    assertThat(post("/hooks/gitlab", sign(SECRET, PUSH), "d-3", PUSH).statusCode()).isEqualTo(404);

    HttpResponse<String> first = post("/hooks/github", sign(SECRET, PUSH), "d-4", PUSH);
    assertThat(first.statusCode()).isEqualTo(202);
    awaitRun(json.readTree(first.body()).get("runId").asText());
    HttpResponse<String> replay = post("/hooks/github", sign(SECRET, PUSH), "d-4", PUSH);
    assertThat(replay.statusCode()).isEqualTo(200);
    assertThat(replay.body()).contains("duplicate");

    assertThat(host.sluice().store().runs().list(null, 10)).hasSize(1);
    assertThat(Files.readAllLines(dir.resolve("out/commits.jsonl"))).hasSize(2);
  }
}
