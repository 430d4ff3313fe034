package dev.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.InvalidDefinitionException;
import dev.sluice.Sluice;
import dev.sluice.SluiceException;
import dev.sluice.UnknownPipelineException;
import dev.sluice.internal.schedule.DefaultRunHandle;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.pipeline.PipelineBuilder;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.Trigger;
import dev.sluice.spi.TriggerContext;
import dev.sluice.spi.TriggerProvider;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunRecord;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SchedulerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final InMemoryStore store = new InMemoryStore();
  private final RecordingDestination out = new RecordingDestination();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));

  private Sluice sluice(Consumer<PipelineBuilder> pipeline) {
    return Sluice.builder().store(store).sleeper(new FakeSleeper()).meterRegistry(registry).ticker(ticker)
        .random(new Random(7)).destination("out", out)
        .pipeline("orders", p -> {
          p.route(r -> r.to("out"));
          pipeline.accept(p);
        })
        .build();
  }

  private static void awaitBlocked(Semaphore gate) throws InterruptedException {
    Eventually.await("a delivery waits at the gate", gate::hasQueuedThreads);
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void anApiTriggerReturnsAHandleWithLiveProgressAndTheReport() throws Exception {
    Semaphore gate = out.gate();
    try (Sluice sluice = sluice(p -> p.source(ListConnector.of(500, 100)))) {
      RunHandle handle = sluice.trigger("orders");
      assertThat(handle.id()).isNotBlank();
      assertThat(handle.pipeline()).isEqualTo("orders");
      assertThat(handle.trigger()).isEqualTo("api");
      awaitBlocked(gate);

      assertThat(handle.status()).isEqualTo(RunStatus.RUNNING);
      Eventually.await("records are read while delivery is held", () -> handle.progress().recordsRead() > 0);
      assertThat(handle.progress().delivered()).isZero();
      assertThat(handle.await(Duration.ofMillis(20))).isEmpty();
      assertThat(store.runs().find(handle.id())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.RUNNING));

      gate.release(1_000);
      RunReport report = handle.await();
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.runId()).isEqualTo(handle.id());
      assertThat(handle.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(handle.progress().recordsRead()).isEqualTo(500);
      assertThat(handle.progress().delivered()).isEqualTo(500);
      assertThat(handle.completion().toCompletableFuture().get()).isSameAs(report);
      assertThat(handle.cancel()).as("a finished run can't be cancelled").isFalse();
      assertThat(store.runs().find(handle.id())).hasValueSatisfying(r -> {
        assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(r.trigger()).isEqualTo("api");
      });
    }
  }

  @Test
  void triggerParametersReachTheConnector() throws Exception {
    try (Sluice sluice = sluice(p -> p.source("webhook", Map.of("key", "id")))) {
      RunReport report = sluice.trigger("orders", json("[{\"id\":\"a\",\"n\":1},{\"id\":\"b\",\"n\":2}]")).await();
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(out.receivedKeys()).containsExactly("a", "b");
      assertThat(out.received.get(1).data().get("n").asInt()).isEqualTo(2);
    }
  }

  @Test
  void overlapSkipEndsASecondRequestAsSkippedAndKeepsItInTheHistory() throws Exception {
    Semaphore gate = out.gate();
    try (Sluice sluice = sluice(p -> p.source(ListConnector.of(10, 10)))) {
      RunHandle first = sluice.trigger("orders");
      awaitBlocked(gate);
      RunHandle second = sluice.trigger("orders");

      assertThat(second.status()).isEqualTo(RunStatus.SKIPPED);
      RunReport skipped = second.await(Duration.ZERO).orElseThrow();
      assertThat(skipped.status()).isEqualTo(RunStatus.SKIPPED);
      assertThat(skipped.error()).hasValueSatisfying(e -> assertThat(e).contains("a run is in progress")
          .contains("overlap policy skip"));
      assertThat(store.runs().find(second.id())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.SKIPPED));
      assertThat(registry.get("sluice.triggers.fired").tag("outcome", "skipped").counter().count()).isEqualTo(1);

      gate.release(100);
      assertThat(first.await().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(out.receivedKeys()).hasSize(10);
      assertThat(sluice.trigger("orders").await().status()).as("free again").isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void overlapQueueKeepsAtMostOneWaitingRunAndStartsItAfterTheCurrentOne() throws Exception {
    Semaphore gate = out.gate();
    try (Sluice sluice = sluice(p -> p.source(ListConnector.of(10, 10)).overlap(OverlapPolicy.QUEUE))) {
      RunHandle first = sluice.trigger("orders");
      awaitBlocked(gate);
      RunHandle second = sluice.trigger("orders");
      RunHandle third = sluice.trigger("orders");

      assertThat(second.status()).isEqualTo(RunStatus.QUEUED);
      assertThat(store.runs().find(second.id())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.QUEUED));
      assertThat(third.await().status()).isEqualTo(RunStatus.SKIPPED);
      assertThat(third.await().error()).hasValueSatisfying(e -> assertThat(e).contains("already queued"));

      gate.release(100);
      RunReport one = first.await();
      RunReport two = second.await();
      assertThat(two.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(two.runId()).isEqualTo(second.id());
      assertThat(two.startedAt()).isAfterOrEqualTo(one.finishedAt());
      assertThat(one.recordsRead()).isEqualTo(10);
      assertThat(two.recordsRead()).as("the queued run continues from the checkpoint").isZero();
    }
  }

  @Test
  void aQueuedRunCanBeCancelledBeforeItStarts() throws Exception {
    Semaphore gate = out.gate();
    ListConnector source = ListConnector.of(10, 10);
    try (Sluice sluice = sluice(p -> p.source(source).overlap(OverlapPolicy.QUEUE))) {
      RunHandle first = sluice.trigger("orders");
      awaitBlocked(gate);
      RunHandle second = sluice.trigger("orders");
      assertThat(second.cancel()).isTrue();
      assertThat(second.await().status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(store.runs().find(second.id())).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.CANCELLED));
      gate.release(100);
      first.await();
      assertThat(source.startedFrom).as("only the first run read").hasSize(1);
    }
  }

  @Test
  void overlapAllowRunsConcurrently() throws Exception {
    Semaphore gate = out.gate();
    try (Sluice sluice = sluice(p -> p.source(ListConnector.of(5, 5)).overlap(OverlapPolicy.ALLOW))) {
      RunHandle first = sluice.trigger("orders");
      RunHandle second = sluice.trigger("orders");
      Eventually.await("both runs deliver", () -> gate.getQueueLength() == 2);
      assertThat(first.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(second.status()).isEqualTo(RunStatus.RUNNING);
      gate.release(100);
      assertThat(first.await().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(second.await().status()).isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void overlapAllowStartsAtMostMaxConcurrentRunsAndSkipsTheRest() throws Exception {
    Semaphore gate = out.gate();
    try (Sluice sluice = sluice(p -> p.source(ListConnector.of(5, 5)).overlap(OverlapPolicy.ALLOW))) {
      List<RunHandle> handles = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        handles.add(sluice.trigger("orders"));
      }
      Eventually.await("four runs deliver", () -> gate.getQueueLength() == 4);
      assertThat(handles.subList(0, 4)).allSatisfy(h -> assertThat(h.status()).isEqualTo(RunStatus.RUNNING));
      assertThat(handles.subList(4, 6)).allSatisfy(h -> {
        assertThat(h.status()).isEqualTo(RunStatus.SKIPPED);
        assertThat(h.await().error()).hasValueSatisfying(e -> assertThat(e)
            .contains("4 runs are in progress").contains("maxConcurrentRuns 4"));
      });
      gate.release(100);
      for (RunHandle h : handles.subList(0, 4)) {
        assertThat(h.await().status()).isEqualTo(RunStatus.SUCCEEDED);
      }
      assertThat(sluice.trigger("orders").await().status()).as("room again once they ended")
          .isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void aRunningRunCanBeCancelled() throws Exception {
    Semaphore gate = out.gate();
    try (Sluice sluice = sluice(p -> p.source(ListConnector.of(Long.MAX_VALUE, 100)))) {
      RunHandle handle = sluice.trigger("orders");
      awaitBlocked(gate);
      assertThat(handle.cancel()).isTrue();
      gate.release(Integer.MAX_VALUE / 2);
      RunReport report = handle.await();
      assertThat(report.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(report.delivered()).isEqualTo(report.recordsRead());
    }
  }

  @Test
  void cronTriggersRunPipelinesOnceStartedAndStopOnClose() throws Exception {
    Sluice sluice = sluice(p -> p.source(ListConnector.of(3, 3)).cron("*/5 * * * *"));
    try {
      ticker.advance(Duration.ofMinutes(10));
      assertThat(store.runs().list("orders", 10)).as("nothing fires before start").isEmpty();

      sluice.start();
      assertThat(sluice.isStarted()).isTrue();
      ticker.advanceTo(Instant.parse("2025-01-01T10:15:00Z"));
      Eventually.await("the cron run finished", () -> out.finishedRuns.size() == 1);
      RunRecord run = store.runs().list("orders", 10).get(0);
      assertThat(run.trigger()).isEqualTo("cron */5 * * * *");
      assertThat(run.startedAt()).isEqualTo(Instant.parse("2025-01-01T10:15:00Z"));
      assertThat(registry.get("sluice.triggers.fired").tag("trigger", "cron").tag("outcome", "started").counter().count())
          .isEqualTo(1);
      assertThatThrownBy(sluice::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
    } finally {
      sluice.close();
    }
    assertThat(ticker.pending()).as("close disarms the cron timers").isZero();
    ticker.advance(Duration.ofHours(1));
    assertThat(store.runs().list("orders", 10)).hasSize(1);
    assertThatThrownBy(() -> sluice.trigger("orders")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aCronRunMissedWhileTheProcessWasDownFiresOnceAtStartup() throws Exception {
    // The webhook source emits the run parameters as a record: what a cron run's connector sees.
    try (Sluice first = sluice(p -> p.source("webhook", Map.of()).cron("0 * * * *"))) {
      first.start();
      ticker.advanceTo(Instant.parse("2025-01-01T11:00:00Z"));
      Eventually.await("the 11:00 run finished", () -> out.finishedRuns.size() == 1);
    }
    assertThat(out.received.get(0).data().get("scheduledFor").asText()).isEqualTo("2025-01-01T11:00:00Z");
    assertThat(out.received.get(0).data().get("missed").asInt()).isEqualTo(1);

    ticker.jumpTo(Instant.parse("2025-01-01T14:30:00Z")); // down from 11:00 to 14:30
    try (Sluice second = sluice(p -> p.source("webhook", Map.of()).cron("0 * * * *"))) {
      second.start();
      ticker.runDue();
      Eventually.await("the catch-up run finished", () -> out.finishedRuns.size() == 2);
      List<RunRecord> runs = store.runs().list("orders", 10);
      assertThat(runs).hasSize(2);
      assertThat(runs.get(0).startedAt()).isEqualTo(Instant.parse("2025-01-01T14:30:00Z"));
      assertThat(out.received.get(1).data().get("scheduledFor").asText()).isEqualTo("2025-01-01T12:00:00Z");
      assertThat(out.received.get(1).data().get("missed").asInt()).as("12:00, 13:00 and 14:00").isEqualTo(3);
      assertThat(registry.get("sluice.cron.misfires").counter().count()).isEqualTo(1);
      assertThat(ticker.nextDue()).isEqualTo(Instant.parse("2025-01-01T15:00:00Z"));
    }
  }

  @Test
  void withMisfireSkipAMissedRunIsNotMadeUp() throws Exception {
    CronTrigger hourly = CronTrigger.builder("0 * * * *").misfire(MisfirePolicy.SKIP).build();
    try (Sluice first = sluice(p -> p.source(ListConnector.of(1, 1)).trigger(hourly))) {
      first.start();
      ticker.advanceTo(Instant.parse("2025-01-01T11:00:00Z"));
      Eventually.await("the 11:00 run finished", () -> out.finishedRuns.size() == 1);
    }
    ticker.jumpTo(Instant.parse("2025-01-01T14:30:00Z"));
    try (Sluice second = sluice(p -> p.source(ListConnector.of(1, 1)).trigger(hourly))) {
      second.start();
      ticker.runDue();
      assertThat(store.runs().list("orders", 10)).hasSize(1);
      assertThat(ticker.nextDue()).isEqualTo(Instant.parse("2025-01-01T15:00:00Z"));
    }
  }

  @Test
  void closeStopsTriggersFirstThenStopsRunningRuns() throws Exception {
    Semaphore gate = out.gate();
    Sluice sluice = sluice(p -> p.source(ListConnector.of(Long.MAX_VALUE, 100)).cron("* * * * *"));
    sluice.start();
    RunHandle handle = sluice.trigger("orders");
    awaitBlocked(gate);
    Thread closer = new Thread(sluice::close);
    closer.start();
    Eventually.await("the run was asked to stop", () -> ((DefaultRunHandle) handle).control().isCancelled());
    assertThat(sluice.isStarted()).isFalse();
    assertThat(ticker.pending()).isZero();
    gate.release(Integer.MAX_VALUE / 2);
    closer.join(30_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(handle.isDone()).as("close waited for the run").isTrue();
    assertThat(handle.await().status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void pluginTriggersAreCreatedStartedAndClosed() throws Exception {
    AtomicInteger closed = new AtomicInteger();
    TriggerProvider provider = new TriggerProvider() {
      @Override
      public String type() {
        return "on-start";
      }

      @Override
      public Trigger create(PluginConfig config, PluginContext context) {
        String reason = config.string("reason");
        return new Trigger() {
          @Override
          public void start(TriggerContext ctx) {
            assertThat(ctx.pipeline()).isEqualTo("orders");
            ctx.fire(reason, ctx.clock() == ticker.clock() ? null : JSON.createObjectNode());
          }

          @Override
          public void close() {
            closed.incrementAndGet();
          }
        };
      }
    };
    try (Sluice sluice = Sluice.builder().store(store).ticker(ticker).provider(provider).destination("out", out)
        .pipeline("orders", p -> p.source(ListConnector.of(2, 2)).route(r -> r.to("out"))
            .trigger("on-start", Map.of("reason", "file arrived: a.csv")))
        .build()) {
      sluice.start();
      Eventually.await("the plugin-triggered run finished", () -> out.finishedRuns.size() == 1);
      assertThat(store.runs().list("orders", 1).get(0).trigger()).isEqualTo("file arrived: a.csv");
    }
    assertThat(closed.get()).isEqualTo(1);
  }

  @Test
  void aTriggerThatFailsToStartLeavesNothingArmed() {
    AtomicInteger closed = new AtomicInteger();
    Trigger broken = new Trigger() {
      @Override
      public void start(TriggerContext context) {
        throw new IllegalStateException("watch folder /nope does not exist");
      }

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    };
    Sluice sluice = sluice(p -> p.source(ListConnector.of(1, 1)).cron("* * * * *").trigger(broken));
    assertThatThrownBy(sluice::start).isInstanceOf(SluiceException.class)
        .hasMessageContaining("pipeline 'orders': trigger").hasMessageContaining("watch folder /nope does not exist");
    assertThat(ticker.pending()).as("the cron timer armed before the failure is disarmed").isZero();
    assertThat(sluice.isStarted()).isFalse();
    assertThatThrownBy(sluice::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("failed to start before");
    sluice.close();
    assertThat(closed.get()).isPositive();
  }

  @Test
  void problemsAreReportedWithTheirNames() {
    assertThatThrownBy(() -> Sluice.builder().ticker(ticker).destination("out", out)
        .pipeline("a", p -> p.source(ListConnector.of(1, 1)).route(r -> r.to("out"))
            .webhook("/hooks/x", WebhookSignature.none()).trigger("no-such-trigger", Map.of()))
        .pipeline("b", p -> p.source(ListConnector.of(1, 1)).route(r -> r.to("out"))
            .webhook("/hooks/x/", WebhookSignature.github("s")))
        .build())
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageContaining("pipeline 'b': webhook path /hooks/x is already used by pipeline 'a'")
        .hasMessageContaining("pipeline 'a' trigger: no trigger of type 'no-such-trigger'");
    try (Sluice sluice = sluice(p -> p.source(ListConnector.of(1, 1)))) {
      assertThatThrownBy(() -> sluice.trigger("nope")).isInstanceOf(UnknownPipelineException.class)
          .hasMessageContaining("'nope'").hasMessageContaining("orders");
    }
  }
}
