package dev.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import dev.sluice.Sluice;
import dev.sluice.pipeline.RunControl;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunRecord;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs whose process stopped without finishing them end INTERRUPTED, and the next run says so. */
@Timeout(60)
class InterruptedRunsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final InMemoryStore store = new InMemoryStore(clock);
  private final RecordingDestination out = new RecordingDestination();

  private Sluice.Builder builder() {
    return Sluice.builder().store(store).clock(clock).destination("out", out)
        .pipeline("orders", p -> p.source(ListConnector.of(30, 10)).route(r -> r.to("out")));
  }

  @Test
  void aRunWhoseNodeStoppedBeatingEndsInterruptedAtStartUpAndTheNextRunResumesAfterIt() {
    // A process ran "killed-run" (and committed a checkpoint) until a minute and a half ago.
    store.runs().heartbeat("killed-node", NOW.minusSeconds(90));
    store.runs().save(RunRecord.started("killed-run", "orders", "cron", NOW.minusSeconds(300), "killed-node"));
    store.checkpoints().commit("orders", Checkpoint.of("next", 11), null,
        RunRecord.started("killed-run", "orders", "cron", NOW.minusSeconds(300), "killed-node"));

    try (Sluice sluice = builder().nodeId("restarted").build()) {
      RunRecord killed = store.runs().find("killed-run").orElseThrow();
      assertThat(killed.status()).isEqualTo(RunStatus.INTERRUPTED);
      assertThat(killed.finishedAt()).isEqualTo(NOW);
      assertThat(killed.error()).isEqualTo("the process running it (node killed-node) stopped without finishing:"
          + " no heartbeat for PT1M (found at start-up of node restarted)");
      assertThat(killed.details().path("status").asText()).isEqualTo("INTERRUPTED");

      RunReport next = sluice.run("orders");

      assertThat(next.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(out.receivedKeys()).first().isEqualTo("k11");
      assertThat(next.resumedAfter()).contains("killed-run");
      assertThat(next.notes()).singleElement().asString()
          .startsWith("resumes from the checkpoint of run killed-run, which was interrupted: the process running it");
      assertThat(next.render()).contains("resumed after     killed-run");
      RunRecord stored = store.runs().find(next.runId()).orElseThrow();
      assertThat(stored.details().path("resumedAfter").asText()).isEqualTo("killed-run");
      assertThat(stored.owner()).isEqualTo("restarted");
    }
  }

  @Test
  void runsOfALiveNodeAreLeftAloneAndRunsWithoutOwnerOrQueuedByADeadNodeEnd() {
    store.runs().heartbeat("other-host", NOW.minusSeconds(5)); // another Sluice on the same store, alive
    store.runs().save(RunRecord.started("live-run", "orders", "api", NOW.minusSeconds(60), "other-host"));
    store.runs().save(RunRecord.started("legacy-run", "orders", "api", NOW.minusSeconds(60))); // no owner
    store.runs().heartbeat("gone", NOW.minusSeconds(3600));
    store.runs().save(new RunRecord("queued-run", "orders", "api", RunStatus.QUEUED, NOW.minusSeconds(3700), null,
        0, 0, 0, null, null, "gone"));
    store.runs().save(new RunRecord("cluster-queued", "orders", "api", RunStatus.QUEUED, NOW.minusSeconds(3700), null,
        0, 0, 0, null, null, null));

    try (Sluice sluice = builder().nodeId("me").build()) {
      assertThat(store.runs().find("live-run").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(store.runs().find("cluster-queued").orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
      assertThat(store.runs().find("legacy-run").orElseThrow()).satisfies(r -> {
        assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
        assertThat(r.error()).contains("did not record which node runs it").contains("at start-up of node me");
      });
      assertThat(store.runs().find("queued-run").orElseThrow()).satisfies(r -> {
        assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
        assertThat(r.error()).contains("node gone").contains("stopped before it started");
      });
    }
  }

  @Test
  void aRunLeftByANodeThatIsGoneIsFoundByAnotherNodesHeartbeat() throws Exception {
    InMemoryStore shared = new InMemoryStore();
    // A 2 s timeout: ample for "first" to keep beating while "second" starts, on a busy machine too.
    Sluice first = Sluice.builder().store(shared).nodeId("first").heartbeat(Duration.ofMillis(50), 40)
        .destination("out", out).pipeline("orders", p -> p.source(ListConnector.of(1, 1)).route(r -> r.to("out")))
        .build();
    // A run "first" is in the middle of, as the history shows it while it runs.
    shared.runs().save(RunRecord.started("in-progress", "orders", "api", Instant.now(), "first"));
    try (Sluice second = Sluice.builder().store(shared).nodeId("second").heartbeat(Duration.ofMillis(50), 40)
        .destination("out", out).pipeline("orders", p -> p.source(ListConnector.of(1, 1)).route(r -> r.to("out")))
        .build()) {
      assertThat(shared.runs().find("in-progress").orElseThrow().status())
          .as("first still beats: the start-up of second leaves its run alone").isEqualTo(RunStatus.RUNNING);

      first.close(); // gone: it removes its heartbeat (a killed node's just gets older than the timeout)

      Eventually.await("second's heartbeat found the run", () ->
          shared.runs().find("in-progress").orElseThrow().status() == RunStatus.INTERRUPTED);
      assertThat(shared.runs().find("in-progress").orElseThrow().error())
          .contains("node first").contains("found by node second");
      assertThat(shared.runs().orphans(Instant.now().minusSeconds(60))).as("second's own runs are not orphans")
          .isEmpty();
    }
  }

  @Test
  void anAttemptOfARunWhoseEarlierAttemptWasInterruptedSaysSo() {
    store.runs().heartbeat("dead-node", NOW.minusSeconds(3600));
    store.runs().save(RunRecord.started("run-7", "orders", "api", NOW.minusSeconds(3600), "dead-node"));
    try (Sluice sluice = builder().nodeId("taking-over").build()) {
      // A cluster hands the same run (same id) to this node.
      RunReport again = sluice.run("orders", "api", null, RunControl.withRunId("run-7"));

      assertThat(again.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(again.resumedAfter()).contains("run-7");
      assertThat(again.notes()).singleElement().asString()
          .startsWith("an earlier attempt of this run on node dead-node was interrupted");
      assertThat(store.runs().find("run-7").orElseThrow().owner()).isEqualTo("taking-over");
    }
  }
}
