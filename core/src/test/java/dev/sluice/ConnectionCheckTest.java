package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spi.ConnectionCheck;
import dev.sluice.spi.ConnectionCheckResult;
import dev.sluice.spi.ConnectionCheckResult.Status;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Sluice#checkDestination} and {@link Sluice#checkSource} with core's built-in plugins. */
class ConnectionCheckTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  @TempDir Path dir;

  private static String secret() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A destination that also offers a check, answering as told. */
  private interface Checked extends Destination, ConnectionCheck {}

  private static Checked checked(ConnectionCheck check) {
    return new Checked() {
      @Override
      public DeliveryResult deliver(dev.sluice.record.Batch batch) {
        return DeliveryResult.success();
      }

      @Override
      public ConnectionCheckResult checkConnection(Duration timeout) throws InterruptedException {
        return check.checkConnection(timeout);
      }
    };
  }

  @Test
  void fileDestinationInAWritableDirectoryIsOkAndLeavesNothingBehind() throws Exception {
    try (Sluice s = Sluice.builder()
        .destination("out", "file", Map.of("path", dir.resolve("out-{run}.jsonl").toString()))
        .build()) {
      ConnectionCheckResult r = s.checkDestination("out", TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.OK);
      assertThat(r.message()).contains(dir.toString()).contains("writable");
      assertThat(r.details()).containsEntry("directory", dir.toString());
    }
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void fileDestinationUnderARegularFileFailsNamingThePath() throws Exception {
    Path notADir = Files.writeString(dir.resolve("plain.txt"), "x");
    try (Sluice s = Sluice.builder()
        .destination("out", "file", Map.of("path", notADir.resolve("sub/out.jsonl").toString()))
        .build()) {
      ConnectionCheckResult r = s.checkDestination("out", TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("destination 'out'").contains(notADir.toString()).contains("not a directory");
    }
  }

  @Test
  void aDestinationWithoutTheCapabilityIsUnsupportedAndAnUnknownNameIsRefused() throws Exception {
    try (Sluice s = Sluice.builder().destination("audit", "log", Map.of()).build()) {
      ConnectionCheckResult r = s.checkDestination("audit", TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.UNSUPPORTED);
      assertThat(r.message()).contains("destination 'audit' (type log)");
      assertThatThrownBy(() -> s.checkDestination("nope", TIMEOUT))
          .isInstanceOf(UnknownDestinationException.class).hasMessageContaining("'nope'").hasMessageContaining("audit");
      assertThatThrownBy(() -> s.checkSource("nope", TIMEOUT)).isInstanceOf(UnknownPipelineException.class);
      assertThatThrownBy(() -> s.checkDestination("audit", Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }
  }

  @Test
  void whatACheckThrowsBecomesAFailureWithoutTheSecretsInItsMessage() throws Exception {
    String password = secret();
    String token = secret();
    Checked throwing = checked(t -> {
      throw new IllegalStateException("GET https://bot:" + password + "@api.example.test/x?token=" + token + " broke");
    });
    try (Sluice s = Sluice.builder().destination("crm", throwing).build()) {
      ConnectionCheckResult r = s.checkDestination("crm", TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("destination 'crm'").contains(IllegalStateException.class.getName())
          .contains("api.example.test").doesNotContain(password).doesNotContain(token);
    }
  }

  @Test
  void aCheckThatOverrunsItsTimeoutIsInterruptedAndFails() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    Checked hanging = checked(t -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return ConnectionCheckResult.ok("never");
    });
    try (Sluice s = Sluice.builder().destination("slow", hanging).build()) {
      ConnectionCheckResult r = s.checkDestination("slow", Duration.ofMillis(200));
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("did not answer within 200 ms");
      assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void atMostSixteenChecksRunAtOnceAndTheNextOneSaysSo() throws Exception {
    CountDownLatch entered = new CountDownLatch(16);
    CountDownLatch release = new CountDownLatch(1);
    Checked blocking = checked(t -> {
      entered.countDown();
      release.await();
      return ConnectionCheckResult.ok("released");
    });
    try (Sluice s = Sluice.builder().destination("slow", blocking).build()) {
      List<Thread> callers = new java.util.ArrayList<>();
      List<ConnectionCheckResult> results = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      for (int i = 0; i < 16; i++) {
        Thread t = new Thread(() -> {
          try {
            results.add(s.checkDestination("slow", Duration.ofSeconds(60)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        t.start();
        callers.add(t);
      }
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      ConnectionCheckResult refused = s.checkDestination("slow", TIMEOUT);
      assertThat(refused.status()).isEqualTo(Status.FAILED);
      assertThat(refused.message()).contains("16 connection checks are already running");
      release.countDown();
      for (Thread t : callers) {
        t.join(30_000);
      }
      assertThat(results).hasSize(16).allMatch(ConnectionCheckResult::isOk);
      assertThat(s.checkDestination("slow", TIMEOUT).isOk()).as("slots are given back").isTrue();
    }
  }

  @Test
  void webhookDestinationConnectsThroughItsGuardWithoutSendingARequest() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      AtomicInteger bytesReceived = new AtomicInteger(-2);
      Thread accept = new Thread(() -> {
        try (Socket c = server.accept(); InputStream in = c.getInputStream()) {
          bytesReceived.set(in.readAllBytes().length); // until the checker closes
        } catch (Exception e) {
          bytesReceived.set(-1);
        }
      });
      accept.start();
      String token = secret();
      String url = "http://127.0.0.1:" + server.getLocalPort() + "/hooks?token=" + token;
      try (Sluice s = Sluice.builder()
          .destination("hook", "webhook", Map.of("url", url, "allowedTargets", List.of("127.0.0.1")))
          .destination("guarded", "webhook", Map.of("url", url))
          .build()) {
        ConnectionCheckResult ok = s.checkDestination("hook", TIMEOUT);
        assertThat(ok.status()).isEqualTo(Status.OK);
        assertThat(ok.message()).contains("127.0.0.1:" + server.getLocalPort()).doesNotContain(token);
        accept.join(10_000);
        assertThat(bytesReceived.get()).isZero();

        ConnectionCheckResult refused = s.checkDestination("guarded", TIMEOUT);
        assertThat(refused.status()).isEqualTo(Status.FAILED);
        assertThat(refused.message()).contains("127.0.0.1").contains("loopback").doesNotContain(token);
      }
    }
  }

  @Test
  void webhookDestinationToAClosedPortFailsNamingHostAndPort() throws Exception {
    int port = closedPort();
    String token = secret();
    try (Sluice s = Sluice.builder()
        .destination("hook", "webhook", Map.of("url", "http://127.0.0.1:" + port + "/h?token=" + token,
            "allowedTargets", List.of("127.0.0.1")))
        .build()) {
      ConnectionCheckResult r = s.checkDestination("hook", TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("can't connect to http://127.0.0.1:" + port).doesNotContain(token);
      assertThat(r.details()).containsEntry("host", "127.0.0.1").containsEntry("port", Integer.toString(port));
    }
  }

  @Test
  void httpAndFileConnectorsAreChecked() throws Exception {
    Path input = Files.writeString(dir.resolve("in.jsonl"), "{\"id\":1}\n");
    int closed = closedPort();
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Sluice s = Sluice.builder()
            .destination("audit", "log", Map.of())
            .pipeline("api", p -> p.source("http", Map.of("baseUrl", "http://127.0.0.1:" + server.getLocalPort(),
                "path", "/items", "records", Map.of("key", "id"))).route(r -> r.name("all").to("audit")))
            .pipeline("down", p -> p.source("http", Map.of("baseUrl", "http://127.0.0.1:" + closed,
                "path", "/items", "records", Map.of("key", "id"))).route(r -> r.name("all").to("audit")))
            .pipeline("local", p -> p.source("file", Map.of("path", input.toString())).route(r -> r.name("all").to("audit")))
            .pipeline("missing", p -> p.source("file", Map.of("path", dir.resolve("no.jsonl").toString()))
                .route(r -> r.name("all").to("audit")))
            .build()) {
      assertThat(s.checkSource("api", TIMEOUT).status()).isEqualTo(Status.OK);
      ConnectionCheckResult down = s.checkSource("down", TIMEOUT);
      assertThat(down.status()).isEqualTo(Status.FAILED);
      assertThat(down.message()).contains("http connector").contains("127.0.0.1:" + closed);
      assertThat(s.checkSource("local", TIMEOUT).status()).isEqualTo(Status.OK);
      ConnectionCheckResult missing = s.checkSource("missing", TIMEOUT);
      assertThat(missing.status()).isEqualTo(Status.FAILED);
      assertThat(missing.message()).contains("no.jsonl").contains("does not exist");
    }
  }

  @Test
  void resultsAreCheckedAndImmutable() {
    assertThatThrownBy(() -> ConnectionCheckResult.ok(" ")).isInstanceOf(IllegalArgumentException.class);
    ConnectionCheckResult r = ConnectionCheckResult.failed("x", Map.of("host", "h"));
    assertThatThrownBy(() -> r.details().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(r.isOk()).isFalse();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
