package dev.sluice.destinations.prometheus;

import static dev.sluice.destinations.prometheus.TestSupport.batch;
import static dev.sluice.destinations.prometheus.TestSupport.ga4Rows;
import static dev.sluice.destinations.prometheus.TestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.spi.DeliveryException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes to a real Pushgateway (Debian package {@code prometheus-pushgateway}) and reads back what
 * it serves on {@code /metrics}. Its API (https://github.com/prometheus/pushgateway#api): {@code
 * PUT /metrics/job/<job>{/<label>/<value>}} replaces all metrics of the group, {@code POST} only
 * those with the names pushed; a value with a {@code /} is sent as {@code <label>@base64/<base64url>}.
 */
class PushgatewayTest {
  @TempDir
  static Path dir;
  static LocalServers.Server pushgateway;

  @BeforeAll
  static void start() throws Exception {
    pushgateway = LocalServers.pushgateway(dir, 0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (pushgateway != null) {
      pushgateway.close();
    }
  }

  static Samples served() throws Exception {
    var r = LocalServers.get(pushgateway.base() + "/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return Samples.parse(r.body());
  }

  private static PrometheusDestination destination(String job, String method, String extra) {
    return TestSupport.create("""
        pushgateway: { url: '%s', job: %s, method: %s }
        staleAfterRuns: 1
        metrics:
          - { name: ga4_sessions, type: gauge, help: Sessions per channel, value: $.sessions,
              labels: { channel: $.sessionDefaultChannelGroup } }
        """.formatted(pushgateway.base(), job, method) + extra, Clock.systemUTC());
  }

  @Test
  void eachRunEndReplacesThePipelinesGroup() throws Exception {
    String job = "sluice-" + UUID.randomUUID();
    try (PrometheusDestination d = destination(job, "put", "")) {
      d.deliver(batch("ga4-web", "r1", ga4Rows("Organic Search", "1234", "Affiliates", "3")));
      assertThat(served().of("ga4_sessions", Map.of("job", job))).as("nothing is pushed before the run ends").isEmpty();
      d.finishRun(run("ga4-web", "r1"), true);
      assertThat(served().byLabel("ga4_sessions", "channel", Map.of("job", job, "pipeline", "ga4-web")))
          .isEqualTo(Map.of("Organic Search", 1234.0, "Affiliates", 3.0));

      // Another pipeline writing to the same destination has its own group.
      d.deliver(batch("ga4-app", "a1", ga4Rows("App", "77")));
      d.finishRun(run("ga4-app", "a1"), true);
      assertThat(served().byLabel("ga4_sessions", "channel", Map.of("job", job, "pipeline", "ga4-app")))
          .isEqualTo(Map.of("App", 77.0));

      // Affiliates disappears from the report: the series goes stale, and PUT drops it from the group.
      d.deliver(batch("ga4-web", "r2", ga4Rows("Organic Search", "1300")));
      d.finishRun(run("ga4-web", "r2"), true);
      assertThat(served().byLabel("ga4_sessions", "channel", Map.of("job", job, "pipeline", "ga4-web")))
          .isEqualTo(Map.of("Organic Search", 1300.0));
      assertThat(served().byLabel("ga4_sessions", "channel", Map.of("job", job, "pipeline", "ga4-app")))
          .as("the other pipeline's group is untouched").isEqualTo(Map.of("App", 77.0));
      assertThat(served().of("push_time_seconds", Map.of("job", job))).as("one push time per group").hasSize(2);
    }
  }

  @Test
  void putReplacesTheWholeGroupWhilePostReplacesOnlyTheMetricsPushed() throws Exception {
    String otherMetric = """
        metrics:
          - { name: ga4_users, type: gauge, help: Users per channel, value: $.sessions,
              labels: { channel: $.sessionDefaultChannelGroup } }
        pushgateway: { url: '%s', job: %s, method: %s }
        """;
    for (String method : new String[] {"post", "put"}) {
      String job = "sluice-" + method + "-" + UUID.randomUUID();
      // Two destinations push different metrics into the same group (job + pipeline).
      try (PrometheusDestination sessions = destination(job, method, "");
           PrometheusDestination users = TestSupport.create(
               otherMetric.formatted(pushgateway.base(), job, method), Clock.systemUTC())) {
        users.deliver(batch("ga4", "u1", ga4Rows("Direct", "5")));
        users.finishRun(run("ga4", "u1"), true);
        sessions.deliver(batch("ga4", "s1", ga4Rows("Direct", "9")));
        sessions.finishRun(run("ga4", "s1"), true);

        Samples after = served();
        assertThat(after.byLabel("ga4_sessions", "channel", Map.of("job", job))).isEqualTo(Map.of("Direct", 9.0));
        if (method.equals("post")) {
          assertThat(after.byLabel("ga4_users", "channel", Map.of("job", job)))
              .as("POST (add) keeps the metrics it did not push").isEqualTo(Map.of("Direct", 5.0));
        } else {
          assertThat(after.of("ga4_users", Map.of("job", job)))
              .as("PUT (replace) leaves exactly what it pushed").isEmpty();
        }
      }
    }
  }

  @Test
  void aPipelineNameWithASlashIsSentBase64Encoded() throws Exception {
    String job = "sluice-" + UUID.randomUUID();
    try (PrometheusDestination d = destination(job, "put", "")) {
      d.deliver(batch("team/ga4 web", "r1", ga4Rows("Direct", "1")));
      d.finishRun(run("team/ga4 web", "r1"), true);
      assertThat(served().byLabel("ga4_sessions", "channel", Map.of("job", job, "pipeline", "team/ga4 web")))
          .isEqualTo(Map.of("Direct", 1.0));
    }
  }

  @Test
  void theConnectionCheckAsksTheRealPushgatewayIfItIsReadyAndPushesNothing() throws Exception {
    String job = "sluice-" + UUID.randomUUID();
    try (PrometheusDestination d = destination(job, "put", "")) {
      var r = d.checkConnection(java.time.Duration.ofSeconds(10));
      assertThat(r.status()).as(r.message()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.OK);
      assertThat(r.message()).contains(pushgateway.base()).contains("ready");
    }
    assertThat(LocalServers.get(pushgateway.base() + "/metrics", null).body()).doesNotContain(job);
  }

  @Test
  void theConnectionCheckFailsOnAnUnreachablePushgatewayWithoutItsCredentials() throws Exception {
    int closed = LocalServers.freePort();
    String password = "pw" + UUID.randomUUID().toString().replace("-", "");
    try (PrometheusDestination d = TestSupport.create("""
        pushgateway: { url: 'http://pusher:%s@127.0.0.1:%d', job: j, timeout: 2s }
        metrics:
          - { name: ga4_sessions, type: gauge, help: Sessions per channel, value: $.sessions }
        """.formatted(password, closed), Clock.systemUTC());
        PrometheusDestination scrapeOnly = TestSupport.create("""
        metrics:
          - { name: ga4_sessions, type: gauge, help: Sessions per channel, value: $.sessions }
        """, Clock.systemUTC())) {
      var r = d.checkConnection(java.time.Duration.ofSeconds(5));
      assertThat(r.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
      assertThat(r.message()).contains("127.0.0.1:" + closed).doesNotContain(password).doesNotContain("pusher");
      assertThat(scrapeOnly.checkConnection(java.time.Duration.ofSeconds(5)).status())
          .isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.UNSUPPORTED);
    }
  }

  @Test
  void aPushgatewayOutageIsRetryableKeepsTheSeriesAndNeverShowsTheCredentials() throws Exception {
    int closed = LocalServers.freePort();
    String job = "sluice-" + UUID.randomUUID();
    try (PrometheusDestination d = TestSupport.create("""
        pushgateway: { url: 'http://pusher:hunter2-secret@127.0.0.1:%d', job: %s, timeout: 2s }
        metrics:
          - { name: ga4_sessions, type: gauge, help: Sessions per channel, value: $.sessions,
              labels: { channel: $.sessionDefaultChannelGroup } }
        """.formatted(closed, job), Clock.systemUTC())) {
      assertThat(d.deliver(batch("ga4", "r1", ga4Rows("Direct", "3"))).isSuccess()).isTrue();
      Throwable failure = catchThrowable(() -> d.finishRun(run("ga4", "r1"), true));
      assertThat(failure).isInstanceOf(DeliveryException.class);
      assertThat(((DeliveryException) failure).isRetryable()).isTrue();
      assertThat(failure.getMessage()).contains("push of pipeline 'ga4'", "127.0.0.1:" + closed)
          .doesNotContain("hunter2", "pusher");
      assertThat(d.toString()).doesNotContain("hunter2");
      assertThat(TestSupport.text(d)).as("the series stay for the next push").contains("ga4_sessions{channel=\"Direct\"} 3.0");
    }
  }

  @Test
  void credentialsInTheUrlBecomeBasicAuthentication() throws Exception {
    // The Debian Pushgateway here runs without a web config, so it ignores the header; a JDK stub
    // records what arrives instead.
    var stub = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
    stub.createContext("/", ex -> {
      seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + " "
          + ex.getRequestHeaders().getFirst("Authorization"));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    stub.start();
    try (PrometheusDestination d = TestSupport.create("""
        pushgateway: { url: 'http://pusher:p%%40ss@127.0.0.1:%d/base/', job: nightly, method: post }
        metrics:
          - { name: ga4_sessions, type: gauge, value: $.sessions }
        """.formatted(stub.getAddress().getPort()), Clock.systemUTC())) {
      d.deliver(batch("ga4", "r1", ga4Rows("Direct", "3")));
      d.finishRun(run("ga4", "r1"), true);
    } finally {
      stub.stop(0);
    }
    assertThat(seen).containsExactly("POST /base/metrics/job/nightly/pipeline/ga4 Basic "
        + java.util.Base64.getEncoder().encodeToString("pusher:p@ss".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
