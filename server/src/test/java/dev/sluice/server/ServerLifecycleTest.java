package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.store.InMemoryStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start, stop, readiness and CORS. */
class ServerLifecycleTest {
  @TempDir Path dir;

  @Test
  void stopDrainsHttpThenShutsSluiceDownAndIsIdempotent() throws Exception {
    Fixture f = new Fixture(new InMemoryStore(), dir);
    String base = f.base;
    assertThat(f.get("/health/ready", null).statusCode()).isEqualTo(200);
    f.server.stop();
    assertThat(f.sluice.isStarted()).isFalse();
    assertThatThrownBy(() -> f.http.send(HttpRequest.newBuilder(URI.create(base + "/health/live"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);
    f.server.stop(); // again: nothing happens
    assertThatThrownBy(f.server::start).isInstanceOf(IllegalStateException.class);
    f.store.close();
  }

  @Test
  void stopLetsRequestsInProgressFinishAndRefusesNewOnes() throws Exception {
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    dev.sluice.spi.Authenticator slow = req -> {
      if (req.bearerToken().filter("slow"::equals).isEmpty()) {
        return dev.sluice.spi.AuthResult.notApplicable();
      }
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return dev.sluice.spi.AuthResult.authenticated(new dev.sluice.auth.Principal("slow", java.util.Set.of("viewer")));
    };
    Fixture f = new Fixture(new InMemoryStore(), dir, o -> o.authenticators(java.util.List.of(slow)));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.Future<HttpResponse<String>> inFlight = pool.submit(() -> f.get("/api/v1/pipelines", "slow"));
      entered.await();
      java.util.concurrent.Future<?> stopping = pool.submit(f.server::stop);
      HttpResponse<String> refused;
      do {
        refused = f.get("/health/live", null);
      } while (refused.statusCode() == 200 && !stopping.isDone());
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(Fixture.json(refused).path("type").asText()).isEqualTo("https://sluice.dev/problems/shutting-down");
      assertThat(stopping.isDone()).as("stop waits for the request in progress").isFalse();
      release.countDown();
      assertThat(inFlight.get().statusCode()).isEqualTo(200);
      stopping.get();
      assertThat(f.sluice.isStarted()).isFalse();
    } finally {
      release.countDown();
      pool.shutdownNow();
      f.store.close();
    }
  }

  @Test
  void readinessIsDownUntilTheSchedulerRuns() throws Exception {
    try (Fixture f = new Fixture(new InMemoryStore(), dir)) {
      SluiceServer second = SluiceServer.create(dev.sluice.Sluice.builder()
          .store(new InMemoryStore())
          .destination("d", "log", java.util.Map.of())
          .pipeline("p", p -> p.source("webhook", java.util.Map.of()).route(r -> r.to("d")))
          .build(), ServerOptions.builder().port(0).readinessCheck("migrations", () -> true)
          .readinessCheck("broken", () -> {
            throw new IllegalStateException("no answer");
          }).build()).start();
      try {
        HttpResponse<String> r = f.http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + second.port() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"scheduler\":\"DOWN\"").contains("\"store\":\"UP\"")
            .contains("\"migrations\":\"UP\"").contains("\"broken\":\"DOWN\"");
        // No authenticators: protected routes are closed to everyone.
        HttpResponse<String> api = f.http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + second.port() + "/api/v1/runs")).header("Authorization", "Bearer x").build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(401);
      } finally {
        second.stop();
      }
    }
  }

  @Test
  void corsIsOffByDefaultAndAllowsOnlyConfiguredOrigins() throws Exception {
    try (Fixture f = new Fixture(new InMemoryStore(), dir, o -> o.corsOrigin("https://ops.example.com"))) {
      HttpResponse<String> allowed = f.call("GET", "/api/v1/runs", "viewer", null, "Origin", "https://ops.example.com");
      assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("https://ops.example.com");
      HttpResponse<String> other = f.call("GET", "/api/v1/runs", "viewer", null, "Origin", "https://evil.example.net");
      assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
    try (Fixture f = new Fixture(new InMemoryStore(), dir.resolve("x").toFile().mkdirs() ? dir.resolve("x") : dir)) {
      HttpResponse<String> r = f.call("GET", "/api/v1/runs", "viewer", null, "Origin", "https://ops.example.com");
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
  }
}
