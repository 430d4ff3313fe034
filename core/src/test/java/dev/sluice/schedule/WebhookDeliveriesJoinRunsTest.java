package dev.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.pipeline.PipelineBuilder;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.Eventually;
import dev.sluice.testing.FakeSleeper;
import dev.sluice.testing.RecordingDestination;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhook deliveries to a pipeline whose source is the {@code webhook} connector join the run
 * whose source has not read every delivery yet, instead of each starting a run (or being refused
 * by the overlap policy); deliveries a run never read are kept as dead letters.
 */
@Timeout(60)
class WebhookDeliveriesJoinRunsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "join-test-" + Long.toHexString(System.nanoTime());

  private final InMemoryStore store = new InMemoryStore();
  private final RecordingDestination out = new RecordingDestination();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HeldExecutor executor = new HeldExecutor();
  private Sluice sluice;

  @AfterEach
  void close() {
    executor.release();
    if (sluice != null) {
      sluice.close();
    }
    executor.delegate.shutdownNow();
  }

  private Sluice start(Consumer<PipelineBuilder> extra) {
    sluice = Sluice.builder().store(store).sleeper(new FakeSleeper()).meterRegistry(registry).executor(executor)
        .destination("out", out)
        .pipeline("orders", p -> {
          p.source("webhook", Map.of("key", "id")).route(r -> r.to("out"))
              .webhook("/hooks/orders", WebhookSignature.hmacSha256(SECRET))
              .webhook("/hooks/refunds", WebhookSignature.hmacSha256(SECRET));
          extra.accept(p);
        })
        .build().start();
    return sluice;
  }

  private WebhookResponse post(String path, String id) {
    String body = "{\"id\":\"" + id + "\",\"amount\":12}";
    return sluice.webhooks().handle(WebhookRequest.of("POST", path,
        Map.of("Content-Type", "application/json", "X-Signature", hmacHex(body)), body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String hmacHex(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode json(WebhookResponse r) throws Exception {
    return JSON.readTree(r.body());
  }

  private RunReport report(String runId) throws Exception {
    Eventually.await("run " + runId + " ended", () -> store.runs().find(runId).map(r -> r.status().isFinal()).orElse(false));
    return RunReport.fromJson(store.runs().find(runId).orElseThrow().details());
  }

  private double fired(String outcome) {
    Counter c = registry.find("sluice.triggers.fired").tag("trigger", "webhook").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void deliveriesThatArriveBeforeTheSourceReadsJoinTheRunInsteadOfBeingSkipped() throws Exception {
    start(p -> {}); // overlap skip, the default: a second run would be refused with 503
    executor.hold();
    List<String> runIds = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      WebhookResponse r = post("/hooks/orders", "ord_" + i);
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      runIds.add(json(r).get("runId").asText());
    }
    assertThat(runIds).as("one run carries all five").containsOnly(runIds.get(0));
    executor.release();

    RunReport report = report(runIds.get(0));
    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.delivered()).isEqualTo(5);
    assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("carried 5 webhook deliveries"));
    assertThat(out.receivedKeys()).containsExactly("ord_1", "ord_2", "ord_3", "ord_4", "ord_5");
    assertThat(fired("started")).isEqualTo(1);
    assertThat(fired("joined")).isEqualTo(4);
    assertThat(fired("skipped")).isZero();

    WebhookResponse later = post("/hooks/orders", "ord_6");
    assertThat(later.status()).as(later.body()).isEqualTo(202);
    assertThat(json(later).get("runId").asText()).as("a sealed run takes no more").isNotEqualTo(runIds.get(0));
    assertThat(report(json(later).get("runId").asText()).delivered()).isEqualTo(1);
    assertThat(report(json(later).get("runId").asText()).notes()).noneSatisfy(n -> assertThat(n).contains("carried"));
  }

  @Test
  void deliveriesJoinRunsOfTheirOwnTriggerOnly() throws Exception {
    start(p -> p.overlap(OverlapPolicy.ALLOW).maxConcurrentRuns(10));
    executor.hold();
    String orders = json(post("/hooks/orders", "ord_1")).get("runId").asText();
    String refunds = json(post("/hooks/refunds", "ref_1")).get("runId").asText();
    assertThat(json(post("/hooks/orders", "ord_2")).get("runId").asText()).isEqualTo(orders);
    assertThat(json(post("/hooks/refunds", "ref_2")).get("runId").asText()).isEqualTo(refunds);
    assertThat(refunds).isNotEqualTo(orders);
    executor.release();

    assertThat(report(orders).trigger()).contains("/hooks/orders");
    assertThat(report(orders).delivered()).isEqualTo(2);
    assertThat(report(refunds).trigger()).contains("/hooks/refunds");
    assertThat(report(refunds).delivered()).isEqualTo(2);
    assertThat(out.receivedKeys()).containsExactlyInAnyOrder("ord_1", "ord_2", "ref_1", "ref_2");
  }

  @Test
  void deliveriesOfAQueuedRunThatIsCancelledAreKeptAsDeadLetters() throws Exception {
    Semaphore gate = out.gate();
    start(p -> p.overlap(OverlapPolicy.QUEUE));
    String first = json(post("/hooks/orders", "ord_1")).get("runId").asText();
    Eventually.await("the first run delivers", gate::hasQueuedThreads);

    List<String> queued = new ArrayList<>();
    for (int i = 2; i <= 4; i++) {
      WebhookResponse r = post("/hooks/orders", "ord_" + i);
      assertThat(r.status()).as(r.body()).isEqualTo(202);
      assertThat(json(r).get("status").asText()).isEqualTo("QUEUED");
      queued.add(json(r).get("runId").asText());
    }
    assertThat(queued).containsOnly(queued.get(0)).doesNotContain(first);
    assertThat(sluice.activeRun(queued.get(0)).orElseThrow().cancel()).isTrue();
    gate.release(100);

    assertThat(report(queued.get(0)).status()).isEqualTo(RunStatus.CANCELLED);
    List<DeadLetter> kept = store.deadLetters().list(DeadLetterQuery.of("orders", DeadLetter.SOURCE));
    assertThat(kept).hasSize(3).allSatisfy(d -> {
      assertThat(d.runId()).isEqualTo(queued.get(0));
      assertThat(d.reason()).contains("webhook delivery not read").contains("send it again");
    });
    assertThat(kept).extracting(d -> d.record().get("payload").get("id").asText())
        .containsExactly("ord_2", "ord_3", "ord_4");
    assertThat(report(first).delivered()).isEqualTo(1);
    assertThat(out.receivedKeys()).containsExactly("ord_1");
  }

  @Test
  void deliveriesOfARunCancelledBeforeItsSourceReadThemAreKeptAsDeadLetters() throws Exception {
    start(p -> {});
    executor.hold();
    String run = json(post("/hooks/orders", "ord_1")).get("runId").asText();
    assertThat(json(post("/hooks/orders", "ord_2")).get("runId").asText()).isEqualTo(run);
    assertThat(sluice.activeRun(run).orElseThrow().cancel()).isTrue();
    executor.release();

    RunReport report = report(run);
    assertThat(report.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(report.delivered()).isZero();
    assertThat(store.deadLetters().list(DeadLetterQuery.of("orders", DeadLetter.SOURCE)))
        .extracting(d -> d.record().get("payload").get("id").asText())
        .containsExactly("ord_1", "ord_2");
    assertThat(out.received).isEmpty();
  }

  @Test
  void theAcceptedAnswerIsJsonWhateverTheRunIdsLookLike() throws Exception {
    String odd = "run \"1\" \\ é\u0001";
    sluice = Sluice.builder().store(store).sleeper(new FakeSleeper()).meterRegistry(registry).runIds(() -> odd)
        .destination("out", out)
        .pipeline("orders", p -> p.source("webhook", Map.of("key", "id")).route(r -> r.to("out"))
            .webhook("/hooks/orders", WebhookSignature.hmacSha256(SECRET)))
        .build().start();
    WebhookResponse r = post("/hooks/orders", "ord_1");
    assertThat(r.status()).isEqualTo(202);
    JsonNode body = json(r);
    assertThat(body.get("runId").asText()).isEqualTo(odd);
    assertThat(body.get("pipeline").asText()).isEqualTo("orders");
    assertThat(body.get("status").asText()).isIn("RUNNING", "QUEUED");
    assertThat(body.size()).isEqualTo(3);
  }

  /** Runs tasks on a real pool, or keeps them until {@link #release()} while held. */
  static final class HeldExecutor extends AbstractExecutorService {
    final ExecutorService delegate = Executors.newCachedThreadPool();
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;

    synchronized void hold() {
      holding = true;
    }

    void release() {
      List<Runnable> tasks;
      synchronized (this) {
        holding = false;
        tasks = new ArrayList<>(held);
        held.clear();
      }
      tasks.forEach(delegate::execute);
    }

    @Override
    public void execute(Runnable command) {
      synchronized (this) {
        if (holding) {
          held.add(command);
          return;
        }
      }
      delegate.execute(command);
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }
}
