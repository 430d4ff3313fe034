package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
 * }
 * }</pre>
 */
public abstract class DestinationContract {
  private Destination destination;

  /** A destination writing to a fresh, empty sink. Called once per test; closed by the contract. */
  protected abstract Destination createDestination() throws Exception;

  /**
   * The payloads ({@code record.data()}) that reached the sink so far, in arrival order. Called
   * after {@link Destination#finishRun} of the runs delivered.
   */
  protected abstract List<ObjectNode> readBack() throws Exception;

  /**
   * Makes deliveries fail in a way worth retrying (server down, disk unavailable) until the
   * returned handle is closed.
   */
  protected abstract AutoCloseable simulateOutage() throws Exception;

  /**
   * A batch this destination can never accept (a payload the remote side rejects as invalid), or
   * null when every record is acceptable (files); the contract then checks instead that an outage
   * is never reported as permanent.
   */
  protected Batch unacceptableBatch() {
    return null;
  }

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

  /** Records with payloads {@code {"id": i, "name": "record i", "amount": i * 1.5}}. */
  protected static List<Record> sampleRecords(int count) {
    List<Record> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      ObjectNode data = JsonNodeFactory.instance.objectNode();
      data.put("id", i);
      data.put("name", "record " + i);
      data.put("amount", i * 1.5);
      out.add(Record.builder("key-" + i, data).source("contract").observedAt(Instant.EPOCH).build());
    }
    return out;
  }

  protected static Batch batchOf(String runId, List<Record> records) {
    return Batch.of("contract", "contract-destination", runId, records);
  }

  private void finish(String runId, boolean succeeded) throws Exception {
    destination().finishRun(new RunInfo("contract", runId, Instant.EPOCH), succeeded);
  }

  @Test
  public void deliversABatch() throws Exception {
    String run = UUID.randomUUID().toString();
    List<Record> records = sampleRecords(25);

    DeliveryResult result = destination().deliver(batchOf(run, records));
    finish(run, true);

    assertThat(result.isSuccess()).isTrue();
    assertThat(readBack())
        .containsExactlyElementsOf(records.stream().map(Record::data).toList());
  }

  @Test
  public void deliversSeveralBatchesOfOneRunInOrder() throws Exception {
    String run = UUID.randomUUID().toString();
    List<Record> records = sampleRecords(30);
    for (int i = 0; i < 30; i += 10) {
      assertThat(destination().deliver(batchOf(run, records.subList(i, i + 10))).isSuccess()).isTrue();
    }
    finish(run, true);
    assertThat(readBack()).containsExactlyElementsOf(records.stream().map(Record::data).toList());
  }

  @Test
  public void acceptsAnEmptyBatch() throws Exception {
    String run = UUID.randomUUID().toString();
    DeliveryResult result = destination().deliver(batchOf(run, List.of()));
    finish(run, true);
    assertThat(result.isSuccess()).isTrue();
    assertThat(readBack()).isEmpty();
  }

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
              f -> assertThat(f).isNotInstanceOf(DeliveryException.class),
              f -> assertThat(((DeliveryException) f).isRetryable()).isTrue());
    } else {
      assertThat(result.isSuccess()).as("delivery during an outage must fail").isFalse();
      assertThat(result.failures().values()).allSatisfy(f -> assertThat(f.retryable()).isTrue());
    }
  }

  @Test
  public void reportsUnacceptableRecordsAsPermanentFailures() throws Exception {
    Batch bad = unacceptableBatch();
    if (bad == null) {
      // Nothing is unacceptable here: then no failure may ever claim to be permanent.
      try (AutoCloseable outage = simulateOutage()) {
        Throwable failure = catchThrowable(() -> destination().deliver(batchOf("outage", sampleRecords(2))));
        assertThat(failure).as("delivery during an outage fails").isNotNull();
        if (failure instanceof DeliveryException) {
          assertThat(((DeliveryException) failure).isRetryable()).as("retryable").isTrue();
        }
      }
      return;
    }
    Throwable failure = catchThrowable(() -> destination().deliver(bad));
    if (failure != null) {
      assertThat(failure).isInstanceOf(DeliveryException.class);
      assertThat(((DeliveryException) failure).isRetryable()).as("retryable").isFalse();
    } else {
      DeliveryResult result = destination().deliver(bad);
      assertThat(result.isSuccess()).isFalse();
      assertThat(result.failures().values()).anySatisfy(f -> assertThat(f.retryable()).isFalse());
    }
  }

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
    assertThat(readBack()).containsAll(records.stream().map(Record::data).toList());
  }
}
