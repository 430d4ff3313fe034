package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Destination} must do. Subclass it in your plugin's tests with a destination
 * pointed at a real (local) sink and a way to read back what arrived:
 *
 * <pre>{@code
 * class MyDestinationContractTest extends DestinationContract {
 *   protected Destination createDestination() { return new MyDestination(server.url()); }
 *   protected List<ObjectNode> readBack() { return server.receivedPayloads(); }
 *   protected AutoCloseable simulateOutage() { server.stop(); return server::start; }
 *   protected Redelivery redelivery() { return Redelivery.DEDUPLICATED; } // upserts by key
 * }
 * }</pre>
 *
 * <p>Besides delivering, it checks the promises of the {@link Destination} SPI: a failure says
 * truthfully whether it is worth retrying; a batch delivered twice (same idempotency keys) leaves
 * what the destination documents ({@link #redelivery()}); {@code deliver} is safe to call from
 * several threads at once; and unusual records never make it throw anything but a {@link
 * DeliveryException}: a {@code NullPointerException} or the like is a bug in the destination,
 * which the engine must not mistake for an outage worth retrying.
 */
public abstract class DestinationContract {
  private Destination destination;

  /** What a batch delivered a second time (a retry after a timeout, a replay) leaves in the sink. */
  public enum Redelivery {
    /** The sink holds each record once however often it was delivered (e.g. an upsert by key). */
    DEDUPLICATED,
    /**
     * The sink receives the record again, with the same idempotency key each time ({@link
     * #readBackIdempotencyKeys()}), so the receiver can drop the repeat (e.g. an {@code
     * Idempotency-Key} header).
     */
    SAME_IDEMPOTENCY_KEYS,
    /**
     * Redelivery is not made harmless (e.g. appending to a file, {@code COPY}): the destination
     * documents this. The contract checks only that what was delivered first stays intact.
     */
    NOT_IDEMPOTENT
  }

  /**
   * A destination writing to a fresh, empty sink. Called once per test; closed by the contract.
   *
   * @return a new destination
   * @throws Exception when it can't be created; the test fails
   */
  protected abstract Destination createDestination() throws Exception;

  /**
   * The payloads ({@code record.data()}) that reached the sink so far, in arrival order. Called
   * after {@link Destination#finishRun} of the runs delivered.
   *
   * @return the payloads, in arrival order
   * @throws Exception when the sink can't be read; the test fails
   */
  protected abstract List<ObjectNode> readBack() throws Exception;

  /**
   * Makes deliveries fail in a way worth retrying (server down, disk unavailable) until the
   * returned handle is closed.
   *
   * @return a handle whose {@code close} ends the outage
   * @throws Exception when the outage can't be simulated; the test fails
   */
  protected abstract AutoCloseable simulateOutage() throws Exception;

  /**
   * What this destination, as configured, documents for a batch delivered twice.
   *
   * @return the documented behaviour
   */
  protected abstract Redelivery redelivery();

  /**
   * The idempotency key that arrived with each payload of {@link #readBack()}, in the same order.
   * Required when {@link #redelivery()} is {@link Redelivery#SAME_IDEMPOTENCY_KEYS}.
   *
   * @return one key per payload of {@link #readBack()}
   * @throws Exception when the keys can't be read; the test fails
   */
  protected List<String> readBackIdempotencyKeys() throws Exception {
    throw new UnsupportedOperationException("override readBackIdempotencyKeys() for redelivery "
        + Redelivery.SAME_IDEMPOTENCY_KEYS);
  }

  /**
   * A batch with records this destination can never accept (a payload the remote side rejects as
   * invalid, a row a constraint refuses), possibly mixed with acceptable ones; or null when every
   * record is acceptable (files): the contract then checks that claim with {@link
   * #unusualRecords()}.
   *
   * @return the batch, or null
   */
  protected Batch unacceptableBatch() {
    return null;
  }

  /**
   * The destination under test: created by {@link #createDestination()} on first use in a test,
   * closed after it.
   *
   * @return the destination
   * @throws Exception what {@link #createDestination()} threw
   */
  protected final Destination destination() throws Exception {
    if (destination == null) {
      destination = createDestination();
    }
    return destination;
  }

  @AfterEach
  void closeDestination() throws Exception {
    if (destination != null) {
      destination.close();
    }
  }

  /**
   * Records with payloads {@code {"id": i, "name": "record i", "amount": i * 1.5}}, i from 1.
   *
   * @param count how many records
   * @return new records keyed {@code key-<i>}
   */
  protected static List<Record> sampleRecords(int count) {
    return sampleRecords(1, count);
  }

  /**
   * Like {@link #sampleRecords(int)} with ids {@code firstId .. firstId + count - 1}.
   *
   * @param firstId the first id
   * @param count how many records
   * @return new records keyed {@code key-<i>}
   */
  protected static List<Record> sampleRecords(int firstId, int count) {
    List<Record> out = new ArrayList<>();
    for (int i = firstId; i < firstId + count; i++) {
      ObjectNode data = JsonNodeFactory.instance.objectNode();
      data.put("id", i);
      data.put("name", "record " + i);
      data.put("amount", i * 1.5);
      out.add(Record.builder("key-" + i, data).source("contract").observedAt(Instant.EPOCH).build());
    }
    return out;
  }

  /**
   * Records a careless destination trips over: empty, nulls where values were, nesting where
   * scalars were, text where numbers were, NUL and astral characters, huge numbers, a 100,000
   * character string, keys with dots and dollars, an unusual record key.
   *
   * @return new records, one per unusual payload
   */
  protected static List<Record> unusualRecords() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    List<ObjectNode> payloads = new ArrayList<>();
    payloads.add(f.objectNode());
    payloads.add(f.objectNode().putNull("id").putNull("name").putNull("amount"));
    ObjectNode nested = f.objectNode().put("id", "not a number");
    nested.putObject("name").putArray("nested").add(1).addObject().put("deep", true);
    nested.putArray("amount").add(1).add(2);
    payloads.add(nested);
    payloads.add(f.objectNode().put("id", 1e308).put("name", "NUL \u0000, emoji \uD83D\uDE00, right-to-left \u202E")
        .put("amount", "NaN"));
    payloads.add(f.objectNode().put("id", new BigInteger("123456789012345678901234567890"))
        .put("name", "x".repeat(100_000)).put("amount", true));
    payloads.add(f.objectNode().put("$.id", 1).put("a.b", 2).put("", 3).put("id", -0.0));
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < payloads.size(); i++) {
      out.add(Record.builder("unusual " + i + " ü/\"'\\", payloads.get(i)).source("contract")
          .observedAt(Instant.EPOCH).build());
    }
    return out;
  }

  /**
   * A batch of pipeline {@code contract} for destination {@code contract-destination}, attempt 1.
   *
   * @param runId the run id
   * @param records the records
   * @return the batch
   */
  protected static Batch batchOf(String runId, List<Record> records) {
    return Batch.of("contract", "contract-destination", runId, records);
  }

  private void finish(String runId, boolean succeeded) throws Exception {
    destination().finishRun(new RunInfo("contract", runId, Instant.EPOCH), succeeded);
  }

  private static List<ObjectNode> data(List<Record> records) {
    return records.stream().map(Record::data).toList();
  }

  /**
   * When the destination implements {@link dev.sluice.spi.ConnectionCheck}: against the working
   * sink the check answers OK (or unsupported, when the configuration has nothing remote); during
   * an outage it answers (OK or FAILED: the outage may not be visible without delivering) instead
   * of throwing; both within the check's timeout; and nothing
   * reaches the sink. A destination without the capability passes.
   *
   * @throws Exception what the destination or the sink threw
   */
  @Test
  public void connectionCheckAnswersWithoutThrowingOrDelivering() throws Exception {
    if (!(destination() instanceof dev.sluice.spi.ConnectionCheck check)) {
      return;
    }
    dev.sluice.spi.ConnectionCheckResult healthy = CheckRunner.run("healthy sink", check);
    assertThat(healthy.status()).as("check against the working sink: " + healthy.message())
        .isNotEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
    try (AutoCloseable outage = simulateOutage()) {
      CheckRunner.run("during an outage", check);
    }
    assertThat(readBack()).as("a connection check delivers nothing").isEmpty();
  }

  /**
   * A batch of 25 records is acknowledged and reaches the sink as sent, in order.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void deliversABatch() throws Exception {
    String run = UUID.randomUUID().toString();
    List<Record> records = sampleRecords(25);

    DeliveryResult result = destination().deliver(batchOf(run, records));
    finish(run, true);

    assertThat(result.isSuccess()).isTrue();
    assertThat(readBack()).containsExactlyElementsOf(data(records));
  }

  /**
   * Three batches of one run reach the sink in delivery order.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void deliversSeveralBatchesOfOneRunInOrder() throws Exception {
    String run = UUID.randomUUID().toString();
    List<Record> records = sampleRecords(30);
    for (int i = 0; i < 30; i += 10) {
      assertThat(destination().deliver(batchOf(run, records.subList(i, i + 10))).isSuccess()).isTrue();
    }
    finish(run, true);
    assertThat(readBack()).containsExactlyElementsOf(data(records));
  }

  /**
   * An empty batch succeeds and writes nothing.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void acceptsAnEmptyBatch() throws Exception {
    String run = UUID.randomUUID().toString();
    DeliveryResult result = destination().deliver(batchOf(run, List.of()));
    finish(run, true);
    assertThat(result.isSuccess()).isTrue();
    assertThat(readBack()).isEmpty();
  }

  /**
   * The same batch delivered twice leaves what {@link #redelivery()} declares: each record once,
   * each record twice with the same idempotency keys, or at least the first delivery intact.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void aBatchDeliveredTwiceLeavesWhatTheDestinationDocuments() throws Exception {
    String run = UUID.randomUUID().toString();
    List<Record> records = sampleRecords(10);
    Batch batch = batchOf(run, records);

    assertThat(destination().deliver(batch).isSuccess()).isTrue();
    DeliveryResult again = destination().deliver(batchOf(run, records));
    finish(run, true);

    List<ObjectNode> sink = readBack();
    switch (redelivery()) {
      case DEDUPLICATED -> {
        assertThat(again.isSuccess()).as("a redelivery of what is there already succeeds").isTrue();
        assertThat(sink).as("each record once").containsExactlyInAnyOrderElementsOf(data(records));
      }
      case SAME_IDEMPOTENCY_KEYS -> {
        assertThat(again.isSuccess()).as("a redelivery succeeds").isTrue();
        List<ObjectNode> twice = new ArrayList<>(data(records));
        twice.addAll(data(records));
        assertThat(sink).as("each record twice").containsExactlyInAnyOrderElementsOf(twice);
        List<String> keys = readBackIdempotencyKeys();
        assertThat(keys).as("one key per payload").hasSameSizeAs(sink);
        for (int i = 0; i < records.size(); i++) {
          String expected = batch.idempotencyKey(i);
          ObjectNode payload = records.get(i).data();
          List<String> arrived = new ArrayList<>();
          for (int j = 0; j < sink.size(); j++) {
            if (sink.get(j).equals(payload)) {
              arrived.add(keys.get(j));
            }
          }
          assertThat(arrived).as("the idempotency keys %s arrived with", payload)
              .containsExactly(expected, expected);
        }
      }
      case NOT_IDEMPOTENT ->
          assertThat(sink).as("what was delivered first is intact").containsAll(data(records));
      default -> throw new AssertionError(redelivery());
    }
  }

  /**
   * Four threads delivering five batches each, concurrently, all succeed and every record reaches
   * the sink once.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void deliversFromSeveralThreadsAtOnce() throws Exception {
    int threads = 4;
    int batches = 5;
    int perBatch = 10;
    Destination d = destination();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Record> all = Collections.synchronizedList(new ArrayList<>());
    try {
      List<Future<List<DeliveryResult>>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          String run = "thread-" + thread + "-" + UUID.randomUUID();
          List<DeliveryResult> results = new ArrayList<>();
          start.await();
          for (int b = 0; b < batches; b++) {
            List<Record> records = sampleRecords(1 + thread * 1000 + b * perBatch, perBatch);
            all.addAll(records);
            results.add(d.deliver(batchOf(run, records)));
          }
          d.finishRun(new RunInfo("contract", run, Instant.EPOCH), true);
          return results;
        }));
      }
      start.countDown();
      for (Future<List<DeliveryResult>> f : done) {
        assertThat(f.get(2, TimeUnit.MINUTES)).allSatisfy(r -> assertThat(r.isSuccess()).isTrue());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(all).hasSize(threads * batches * perBatch);
    assertThat(readBack()).as("every record of every thread, once").containsExactlyInAnyOrderElementsOf(data(all));
  }

  /**
   * During {@link #simulateOutage()} a delivery fails as retryable: a retryable
   * {@link DeliveryException}, an I/O failure, or retryable record failures.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void reportsAnOutageAsRetryable() throws Exception {
    String run = UUID.randomUUID().toString();
    Throwable failure;
    DeliveryResult result = null;
    try (AutoCloseable outage = simulateOutage()) {
      failure = catchThrowable(() -> destination().deliver(batchOf(run, sampleRecords(3))));
      if (failure == null) {
        result = destination().deliver(batchOf(run, sampleRecords(3)));
      }
    }
    if (failure != null) {
      assertThat(failure).as("an outage is worth retrying")
          .satisfiesAnyOf(
              f -> assertThat(f).isNotInstanceOf(DeliveryException.class).isNotInstanceOf(RuntimeException.class),
              f -> assertThat(f).isInstanceOf(UncheckedIOException.class),
              f -> assertThat(((DeliveryException) f).isRetryable()).isTrue());
    } else {
      assertThat(result.isSuccess()).as("delivery during an outage must fail").isFalse();
      assertThat(result.failures().values()).allSatisfy(f -> assertThat(f.retryable()).isTrue());
    }
  }

  /**
   * The records of {@link #unacceptableBatch()} fail permanently and are not in the sink; without
   * such a batch, {@link #unusualRecords()} are all delivered as they are.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void reportsUnacceptableRecordsAsPermanentFailures() throws Exception {
    Batch bad = unacceptableBatch();
    if (bad == null) {
      // Declared: no record is unacceptable. Then unusual records are delivered, none refused.
      String run = UUID.randomUUID().toString();
      List<Record> unusual = unusualRecords();
      DeliveryResult result = destination().deliver(batchOf(run, unusual));
      finish(run, true);
      assertThat(result.isSuccess()).as("declared to accept every record: %s", result).isTrue();
      assertThat(readBack()).containsExactlyElementsOf(data(unusual));
      return;
    }
    Throwable failure = catchThrowable(() -> destination().deliver(bad));
    DeliveryResult result = null;
    if (failure != null) {
      assertThat(failure).as("the whole batch refused").isInstanceOf(DeliveryException.class);
      assertThat(((DeliveryException) failure).isRetryable()).as("retryable").isFalse();
    } else {
      result = destination().deliver(bad);
      assertThat(result.isSuccess()).as("an unacceptable record is refused").isFalse();
      assertThat(result.failures().values()).as("no retry makes it acceptable")
          .allSatisfy(f -> assertThat(f.retryable()).isFalse());
    }
    catchThrowable(() -> finish(bad.runId(), true));
    List<ObjectNode> sink = readBack();
    for (int i = 0; i < bad.size(); i++) {
      boolean failed = result == null || result.failures().containsKey(i);
      if (failed) {
        assertThat(sink).as("record %d was reported as failed, so it is not in the sink", i)
            .doesNotContain(bad.get(i).data());
      }
    }
  }

  /**
   * No failure during an outage is reported as permanent.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void neverReportsAnOutageAsPermanent() throws Exception {
    try (AutoCloseable outage = simulateOutage()) {
      Throwable failure = catchThrowable(() -> destination().deliver(batchOf("outage", sampleRecords(2))));
      if (failure instanceof DeliveryException) {
        assertThat(((DeliveryException) failure).isRetryable()).as("retryable").isTrue();
      } else if (failure == null) {
        DeliveryResult result = destination().deliver(batchOf("outage", sampleRecords(2)));
        assertThat(result.failures().values()).allSatisfy(f -> assertThat(f.retryable()).isTrue());
      }
    }
  }

  /**
   * Failures on {@link #unusualRecords()} are classified (a permanent {@link DeliveryException} or
   * permanent record failures, never another exception), and the destination still delivers after.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void classifiesEveryFailureOnUnusualRecordsAndKeepsWorking() throws Exception {
    String run = UUID.randomUUID().toString();
    List<Record> unusual = unusualRecords();
    List<DeliveryResult> result = new ArrayList<>();
    Throwable failure = catchThrowable(() -> result.add(destination().deliver(batchOf(run, unusual))));
    if (failure != null) {
      assertThat(failure)
          .as("a destination classifies its failures; anything but a DeliveryException here is a bug in it,"
              + " which the engine can't tell from an outage: %s", failure)
          .isInstanceOf(DeliveryException.class);
      assertThat(((DeliveryException) failure).isRetryable()).as("content is not an outage: %s", failure).isFalse();
    } else {
      for (Map.Entry<Integer, RecordFailure> e : result.get(0).failures().entrySet()) {
        assertThat(e.getValue().retryable())
            .as("record %d (%s) failed for its content, which no retry changes: %s", e.getKey(),
                unusual.get(e.getKey()).key(), e.getValue().reason())
            .isFalse();
      }
    }
    catchThrowable(() -> finish(run, true));

    String next = UUID.randomUUID().toString();
    List<Record> records = sampleRecords(3);
    assertThat(destination().deliver(batchOf(next, records)).isSuccess()).as("still works").isTrue();
    finish(next, true);
    assertThat(readBack()).containsAll(data(records));
  }

  /**
   * After an outage ends, a new run's records are delivered.
   *
   * @throws Exception when the destination or the sink fails unexpectedly; the test fails
   */
  @Test
  public void recoversAfterAnOutage() throws Exception {
    try (AutoCloseable outage = simulateOutage()) {
      catchThrowable(() -> destination().deliver(batchOf("during-outage", sampleRecords(2))));
    }
    catchThrowable(() -> finish("during-outage", false));
    String run = UUID.randomUUID().toString();
    List<Record> records = sampleRecords(5);
    assertThat(destination().deliver(batchOf(run, records)).isSuccess()).isTrue();
    finish(run, true);
    assertThat(readBack()).containsAll(data(records));
  }
}
