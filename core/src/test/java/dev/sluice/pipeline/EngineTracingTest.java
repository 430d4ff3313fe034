package dev.sluice.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.record.Batch;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.slf4j.helpers.BasicMDCAdapter;

/**
 * The span tree of one run (Micrometer Observations collected by an in-memory handler) and the MDC
 * the engine's threads carry while they work.
 */
@Timeout(60)
class EngineTracingTest {
  private final InMemoryStore store = new InMemoryStore();
  private final FakeSleeper sleeper = new FakeSleeper();

  /** One observation as the handler saw it. */
  static final class Span {
    final Observation.Context context;
    final String thread;
    volatile boolean stopped;

    Span(Observation.Context context, String thread) {
      this.context = context;
      this.thread = thread;
    }

    String name() {
      return context.getName();
    }

    Observation.Context parent() {
      ObservationView p = context.getParentObservation();
      return p == null ? null : (Observation.Context) p.getContextView();
    }

    String low(String key) {
      KeyValue kv = context.getLowCardinalityKeyValue(key);
      return kv == null ? null : kv.getValue();
    }

    String high(String key) {
      KeyValue kv = context.getHighCardinalityKeyValue(key);
      return kv == null ? null : kv.getValue();
    }
  }

  /** Collects every observation started, in order, and marks it stopped. */
  static final class Collecting implements ObservationHandler<Observation.Context> {
    final List<Span> spans = new CopyOnWriteArrayList<>();

    @Override
    public void onStart(Observation.Context context) {
      spans.add(new Span(context, Thread.currentThread().getName()));
    }

    @Override
    public void onStop(Observation.Context context) {
      spans.stream().filter(s -> s.context == context).forEach(s -> s.stopped = true);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }

    List<Span> named(String name) {
      return spans.stream().filter(s -> s.name().equals(name)).toList();
    }
  }

  @Test
  void oneRunIsATreeOfRunReadDeliverAndRetry() {
    Collecting handler = new Collecting();
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(handler);
    RecordingDestination all = new RecordingDestination().behave((batch, call) -> {
      if (call == 1) {
        throw DeliveryException.retryable("HTTP 503");
      }
      return DeliveryResult.success();
    });
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).observationRegistry(observations)
        .destination("all", all, d -> d.batchSize(10).linger(Duration.ofMinutes(1)))
        .pipeline("orders", p -> p.source(ListConnector.of(20, 20)).route(r -> r.name("everything").to("all")))
        .build()) {
      Observation host = Observation.start("host.request", observations);
      RunReport report;
      try (Observation.Scope scope = host.openScope()) {
        report = sluice.run("orders");
      } finally {
        host.stop();
      }
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);

      List<Span> runs = handler.named("sluice.run");
      assertThat(runs).hasSize(1);
      Span run = runs.get(0);
      assertThat(run.parent()).as("the host's observation current on the calling thread").isSameAs(host.getContext());
      assertThat(run.low("pipeline")).isEqualTo("orders");
      assertThat(run.low("trigger")).isEqualTo("api");
      assertThat(run.low("status")).isEqualTo("succeeded");
      assertThat(run.high("run.id")).isEqualTo(report.runId());
      assertThat(run.context.getError()).isNull();

      List<Span> reads = handler.named("sluice.read");
      assertThat(reads).hasSize(1);
      assertThat(reads.get(0).parent()).isSameAs(run.context);
      assertThat(reads.get(0).low("source")).isNotBlank();
      assertThat(reads.get(0).high("run.id")).isEqualTo(report.runId());
      assertThat(reads.get(0).thread).as("read on the reader thread").isNotEqualTo(run.thread);

      List<Span> deliveries = handler.named("sluice.deliver");
      assertThat(deliveries).as("one per batch of 10").hasSize(2);
      assertThat(deliveries).allSatisfy(d -> {
        assertThat(d.parent()).as("a child of the run, though on a delivery thread").isSameAs(run.context);
        assertThat(d.thread).isNotEqualTo(run.thread);
        assertThat(d.low("pipeline")).isEqualTo("orders");
        assertThat(d.low("destination")).isEqualTo("all");
        assertThat(d.low("outcome")).isEqualTo("delivered");
        assertThat(d.high("run.id")).isEqualTo(report.runId());
        assertThat(d.high("batch.size")).isEqualTo("10");
      });

      List<Span> retries = handler.named("sluice.deliver.retry");
      assertThat(retries).as("the first batch's first attempt failed: one retry").hasSize(1);
      Span retry = retries.get(0);
      assertThat(deliveries.stream().map(d -> d.context)).contains(retry.parent());
      assertThat(retry.high("attempt")).isEqualTo("2");
      assertThat(retry.low("destination")).isEqualTo("all");

      assertThat(handler.spans).hasSize(1 + 1 + 1 + 2 + 1).allSatisfy(s -> assertThat(s.stopped).isTrue());
      assertThat(observations.getCurrentObservation()).as("the run's scope was closed").isNull();
    }
  }

  @Test
  void aFailedSourceMarksTheReadAndTheRunAsFailed() {
    Collecting handler = new Collecting();
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(handler);
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).observationRegistry(observations)
        .destination("all", new RecordingDestination())
        .pipeline("orders", p -> p.source(new ListConnector(10, 5, 3, ListConnector::order)).route(r -> r.to("all")))
        .build()) {
      RunReport report = sluice.run("orders");

      assertThat(report.status()).isEqualTo(RunStatus.FAILED);
      Span run = handler.named("sluice.run").get(0);
      assertThat(run.low("status")).isEqualTo("failed");
      assertThat(run.context.getError()).hasMessageContaining("source broke at record 4");
      Span read = handler.named("sluice.read").get(0);
      assertThat(read.context.getError()).isInstanceOf(IllegalStateException.class);
      assertThat(handler.spans).allSatisfy(s -> assertThat(s.stopped).isTrue());
    }
  }

  @Test
  void theMdcCarriesPipelineRunIdAndDestinationWhileEngineThreadsWork() throws Exception {
    // slf4j-simple (the test binding) keeps no MDC; hosts use Logback's. This test uses SLF4J's
    // own working adapter for as long as it runs.
    MDC.getMDCAdapter(); // initialised
    java.lang.reflect.Field adapter = mdcAdapterField();
    adapter.setAccessible(true);
    Object previousAdapter = adapter.get(null);
    adapter.set(null, new BasicMDCAdapter());
    MDC.clear();
    Map<String, String> inRead = new java.util.concurrent.ConcurrentHashMap<>();
    List<Map<String, String>> inDeliver = new CopyOnWriteArrayList<>();
    List<Map<String, String>> inFinish = new CopyOnWriteArrayList<>();
    Connector source = (context, from, emitter) -> {
      inRead.putAll(MDC.getCopyOfContextMap());
      emitter.emit(Record.of("k1", ListConnector.order(1)));
      emitter.checkpoint(Checkpoint.of("next", 2));
    };
    Destination all = new Destination() {
      @Override
      public DeliveryResult deliver(Batch batch) {
        inDeliver.add(MDC.getCopyOfContextMap());
        return DeliveryResult.success();
      }

      @Override
      public void finishRun(RunInfo run, boolean succeeded) {
        inFinish.add(MDC.getCopyOfContextMap());
      }
    };
    ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(4);
    pool.prestartAllCoreThreads(); // created before any MDC is set on this thread
    try (Sluice sluice = Sluice.builder().store(store).sleeper(sleeper).executor(pool)
        .destination("warehouse", all)
        .pipeline("orders", p -> p.source(source).route(r -> r.to("warehouse")))
        .build()) {
      MDC.put("pipeline", "outer");
      MDC.put("user", "alice");
      RunReport report = sluice.run("orders");
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);

      assertThat(inRead).containsEntry("pipeline", "orders").containsEntry("runId", report.runId())
          .doesNotContainKey("destination");
      assertThat(inDeliver).hasSize(1);
      assertThat(inDeliver.get(0)).containsEntry("pipeline", "orders").containsEntry("runId", report.runId())
          .containsEntry("destination", "warehouse");
      assertThat(inFinish).hasSize(1);
      assertThat(inFinish.get(0)).containsEntry("pipeline", "orders").containsEntry("runId", report.runId())
          .containsEntry("destination", "warehouse");
      assertThat(MDC.get("pipeline")).as("the caller's value is back").isEqualTo("outer");
      assertThat(MDC.get("user")).isEqualTo("alice");
      assertThat(MDC.get("runId")).isNull();

      // Each of the pool's 4 threads, once the run ended, carries no run context.
      CountDownLatch together = new CountDownLatch(4);
      List<Future<Map<String, String>>> seen = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        seen.add(pool.submit(() -> {
          together.countDown();
          together.await(10, TimeUnit.SECONDS);
          Map<String, String> m = MDC.getCopyOfContextMap();
          return m == null ? Map.of() : m;
        }));
      }
      for (Future<Map<String, String>> f : seen) {
        assertThat(f.get(10, TimeUnit.SECONDS)).doesNotContainKeys("pipeline", "runId", "destination");
      }
    } finally {
      MDC.clear();
      pool.shutdownNow();
      adapter.set(null, previousAdapter);
    }
  }


  /** The static field of {@link MDC} holding the adapter ({@code MDC_ADAPTER} since SLF4J 2.0.17, {@code mdcAdapter} before). */
  private static java.lang.reflect.Field mdcAdapterField() throws NoSuchFieldException {
    for (java.lang.reflect.Field f : MDC.class.getDeclaredFields()) {
      if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && f.getType() == org.slf4j.spi.MDCAdapter.class) {
        return f;
      }
    }
    throw new NoSuchFieldException("no MDCAdapter field in " + MDC.class);
  }
}
