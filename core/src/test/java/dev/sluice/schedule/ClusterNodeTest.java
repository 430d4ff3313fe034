package dev.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import dev.sluice.Sluice;
import dev.sluice.delivery.DeliverySettings;
import dev.sluice.internal.schedule.DefaultRunHandle;
import dev.sluice.pipeline.DestinationDefinition;
import dev.sluice.pipeline.PipelineBuilder;
import dev.sluice.pipeline.PluginSpec;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster seam of the scheduler, with several nodes in one JVM sharing a store and a queue. */
@Timeout(60)
class ClusterNodeTest {
  private final InMemoryStore shared = new InMemoryStore();
  private final InProcessCluster cluster = new InProcessCluster();
  private final ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));

  private Sluice node(String name, RecordingDestination out, Consumer<PipelineBuilder> pipeline) {
    return Sluice.builder().store(shared).sleeper(new FakeSleeper()).meterRegistry(new SimpleMeterRegistry())
        .ticker(ticker).cluster(cluster.coordinator(name))
        // batches of 10, so that deliveries (and checkpoints) happen while the run goes on
        .destination(new DestinationDefinition("out", PluginSpec.instance(out),
            DeliverySettings.builder().batchSize(10).build()))
        .pipeline("orders", p -> {
          p.route(r -> r.to("out"));
          pipeline.accept(p);
        })
        .build();
  }

  @Test
  void aRunAskedForOnOneNodeIsRunByTheNodeThatClaimsIt() throws Exception {
    RecordingDestination outA = new RecordingDestination();
    RecordingDestination outB = new RecordingDestination();
    try (Sluice a = node("a", outA, p -> p.source(ListConnector.of(20, 10)));
        Sluice b = node("b", outB, p -> p.source(ListConnector.of(20, 10)))) {
      RunHandle handle = a.trigger("orders"); // a is not started: it claims nothing
      assertThat(handle.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(shared.runs().find(handle.id())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.QUEUED));
      b.start();

      RunReport report = handle.await(Duration.ofSeconds(20)).orElseThrow();
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.runId()).isEqualTo(handle.id());
      assertThat(report.recordsRead()).isEqualTo(20);
      assertThat(outB.received).hasSize(20);
      assertThat(outA.received).isEmpty();
    }
  }

  @Test
  void aRequestNotClaimedYetCanBeWithdrawn() throws Exception {
    try (Sluice a = node("a", new RecordingDestination(), p -> p.source(ListConnector.of(1, 1)))) {
      RunHandle handle = a.trigger("orders");
      assertThat(handle.cancel()).isTrue();
      assertThat(handle.await().status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(cluster.queue).isEmpty();
      assertThat(shared.runs().find(handle.id())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.CANCELLED));
    }
  }

  @Test
  void inClusterModeCronTimesAreFiredByTheCoordinatorWithStableRunIds() throws Exception {
    RecordingDestination out = new RecordingDestination();
    CronTrigger hourly = CronTrigger.builder("0 * * * *").misfire(MisfirePolicy.SKIP).build();
    try (Sluice a = node("a", out, p -> p.source("webhook", Map.of()).trigger(hourly))) {
      a.start();
      assertThat(ticker.pending()).as("no local cron timer in cluster mode").isZero();
      ClusterNode node = cluster.nodes.get(0);
      assertThat(node.cronTriggers()).containsEntry("orders", List.of(hourly));

      ticker.jumpTo(Instant.parse("2025-01-01T11:00:20Z"));
      Optional<RunReport> run = node.fireCron("orders", hourly, Instant.parse("2025-01-01T11:00:00Z"));
      assertThat(run).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED));
      assertThat(out.received.get(0).data().get("scheduledFor").asText()).isEqualTo("2025-01-01T11:00:00Z");

      ticker.jumpTo(Instant.parse("2025-01-01T13:30:00Z"));
      assertThat(node.fireCron("orders", hourly, Instant.parse("2025-01-01T12:00:00Z")))
          .as("late beyond the threshold, and the policy is skip").isEmpty();

      // The same time fired again (a node died after claiming it) keeps the run's id.
      ticker.jumpTo(Instant.parse("2025-01-01T11:00:30Z"));
      RunReport again = node.fireCron("orders", hourly, Instant.parse("2025-01-01T11:00:00Z")).orElseThrow();
      assertThat(again.runId()).isEqualTo(run.get().runId());
      assertThat(shared.runs().list("orders", 10)).hasSize(1);
    }
  }

  @Test
  void aNodeThatClosesMidRunHandsTheRunToAnotherWhichGoesOnFromTheCheckpoint() throws Exception {
    RecordingDestination outA = new RecordingDestination();
    Semaphore gate = outA.gate();
    gate.release(1); // the first batch of 10 is delivered and its checkpoint committed, then a waits
    ListConnector sourceA = ListConnector.of(100_000, 10);
    ListConnector sourceB = ListConnector.of(100_000, 10);
    RecordingDestination outB = new RecordingDestination();
    Sluice a = node("a", outA, p -> p.source(sourceA));
    a.start();
    RunHandle handle = a.trigger("orders");
    Eventually.await("a committed the first checkpoint",
        () -> shared.checkpoints().load("orders").isPresent() && gate.hasQueuedThreads());

    Thread closer = new Thread(a::close);
    closer.start();
    Eventually.await("a's run was asked to stop", () -> ((DefaultRunHandle) handle).control().isCancelled());
    gate.release(1_000_000); // what a read before it stopped is still delivered
    closer.join(20_000);
    Eventually.await("a handed the run back", () -> !cluster.handedBack.isEmpty());
    assertThat(cluster.handedBack).containsExactly(handle.id());
    long checkpointOfA = shared.checkpoints().load("orders").orElseThrow().state().path("next").asLong();
    assertThat(checkpointOfA).as("a stopped long before the end").isLessThan(50_000);

    try (Sluice b = node("b", outB, p -> p.source(sourceB))) {
      b.start();
      Eventually.await("b finished the run", () -> shared.runs().find(handle.id())
          .map(r -> r.status() == RunStatus.SUCCEEDED).orElse(false));
      assertThat(sourceB.startedFrom).singleElement().isEqualTo(Checkpoint.of("next", checkpointOfA));
      assertThat(outB.receivedKeys()).first().isEqualTo("k" + checkpointOfA);
      assertThat(outB.receivedKeys()).last().isEqualTo("k100000");
      long lastOfA = Long.parseLong(outA.receivedKeys().get(outA.received.size() - 1).substring(1));
      assertThat(lastOfA).as("nothing between a and b is lost").isGreaterThanOrEqualTo(checkpointOfA - 1)
          .as("at most the records after a's last checkpoint are delivered twice").isLessThan(checkpointOfA + 10);
      RunReport followed = handle.await();
      assertThat(followed.status()).as("a's handle follows the run to b, through the shared history")
          .isEqualTo(RunStatus.SUCCEEDED);
      assertThat(followed.runId()).isEqualTo(handle.id());
      assertThat(followed.recordsRead()).isEqualTo(100_000 - checkpointOfA + 1);
    }
  }
}
