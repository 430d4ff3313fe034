package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.testkit.CollectingEmitter.Checkpointed;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Connector} must do. Subclass it in your plugin's tests, point it at a source
 * with fixed data, and run it:
 *
 * <pre>{@code
 * class MyConnectorContractTest extends ConnectorContract {
 *   protected Connector createConnector() { return new MyConnector(stubServer.url()); }
 *   protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) { ... }
 * }
 * }</pre>
 *
 * <p>The source must hold at least {@link #minimumRecords()} records and must not change between
 * reads during a test.
 */
public abstract class ConnectorContract {
  private Connector connector;

  /**
   * A connector over a fixed data set. Called once per test; closed by the contract.
   *
   * @return a new connector
   * @throws Exception when the connector can't be created; the test fails
   */
  protected abstract Connector createConnector() throws Exception;

  /**
   * A checkpoint that lies beyond the end of the data set ("from the future"), derived from the
   * last checkpoint a full read emitted. Reading from it must emit no record.
   *
   * @param last the last checkpoint of a full read
   * @return a checkpoint past the end of the data
   * @throws Exception when it can't be made; the test fails
   */
  protected abstract Checkpoint checkpointBeyondTheEnd(Checkpoint last) throws Exception;

  /**
   * Where the connector's data lives on disk, if anywhere (a file connector's folder): the
   * contract then checks that no descriptor into it stays open after close. Null (the default)
   * checks the JVM's whole descriptor count instead, which other threads can disturb.
   *
   * @return the data's directory, or null
   */
  protected Path dataLocation() {
    return null;
  }

  /**
   * The fewest records the fixed data set holds; at least 3.
   *
   * @return the minimum, at least 3
   */
  protected int minimumRecords() {
    return 3;
  }

  private Connector connector() throws Exception {
    if (connector == null) {
      connector = createConnector();
    }
    return connector;
  }

  @AfterEach
  void closeConnector() throws Exception {
    if (connector != null) {
      connector.close();
    }
  }

  /**
   * Reads the whole data set (from {@code from}) with the connector under test.
   *
   * @param from the checkpoint to resume from, or null for the beginning
   * @return everything the read emitted
   * @throws Exception what the connector threw
   */
  protected CollectingEmitter readFrom(Checkpoint from) throws Exception {
    CollectingEmitter out = new CollectingEmitter();
    connector().read(TestReadContext.of("contract"), from, out);
    return out;
  }

  /**
   * When the connector implements {@link dev.sluice.spi.ConnectionCheck}: against the working
   * source the check answers OK (or unsupported, when the configuration has nothing remote)
   * within its timeout and does not throw. A connector without the capability passes.
   *
   * @throws Exception what the connector threw
   */
  @Test
  public void connectionCheckAnswersOkWithoutThrowing() throws Exception {
    if (!(connector() instanceof dev.sluice.spi.ConnectionCheck check)) {
      return;
    }
    dev.sluice.spi.ConnectionCheckResult r = CheckRunner.run("working source", check);
    org.assertj.core.api.Assertions.assertThat(r.status()).as("check against the working source: " + r.message())
        .isNotEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
  }

  /**
   * Two full reads emit at least {@link #minimumRecords()} records with non-empty keys, and the
   * same keys and data in the same order.
   *
   * @throws Exception what the connector threw
   */
  @Test
  public void emitsRecordsWithStableKeys() throws Exception {
    CollectingEmitter first = readFrom(null);
    CollectingEmitter second = readFrom(null);

    assertThat(first.records()).hasSizeGreaterThanOrEqualTo(minimumRecords());
    assertThat(first.records()).allSatisfy(r -> assertThat(r.key()).isNotEmpty());
    assertThat(keys(second.records()))
        .as("the same data read twice yields the same keys in the same order")
        .containsExactlyElementsOf(keys(first.records()));
    assertThat(second.records().stream().map(Record::data).toList())
        .containsExactlyElementsOf(first.records().stream().map(Record::data).toList());
  }

  /**
   * The last thing a full read emits is a checkpoint.
   *
   * @throws Exception what the connector threw
   */
  @Test
  public void endsAFullReadWithACheckpoint() throws Exception {
    CollectingEmitter all = readFrom(null);
    assertThat(all.items()).isNotEmpty();
    assertThat(all.items().get(all.items().size() - 1))
        .as("the last thing a read emits is a checkpoint covering every record")
        .isInstanceOf(Checkpointed.class);
  }

  /**
   * Reading from each checkpoint of a full read emits exactly the records after it: none again,
   * none lost.
   *
   * @throws Exception what the connector threw
   */
  @Test
  public void resumingFromACheckpointReturnsExactlyTheRecordsAfterIt() throws Exception {
    CollectingEmitter all = readFrom(null);
    List<Record> records = all.records();
    List<Checkpointed> checkpoints = all.checkpoints();
    assertThat(checkpoints).isNotEmpty();
    for (Checkpointed cp : checkpoints) {
      CollectingEmitter rest = readFrom(cp.checkpoint());
      // Exactly the suffix: nothing emitted before the checkpoint comes back, nothing after is lost.
      assertThat(keys(rest.records()))
          .as("reading from the checkpoint emitted after %d records", cp.recordsBefore())
          .containsExactlyElementsOf(keys(records.subList(cp.recordsBefore(), records.size())));
    }
  }

  /**
   * Reading from {@link #checkpointBeyondTheEnd} emits no record.
   *
   * @throws Exception what the connector threw
   */
  @Test
  public void aCheckpointFromTheFutureReturnsNothing() throws Exception {
    CollectingEmitter all = readFrom(null);
    Checkpoint last = all.checkpoints().get(all.checkpoints().size() - 1).checkpoint();
    CollectingEmitter future = readFrom(checkpointBeyondTheEnd(last));
    assertThat(future.records()).isEmpty();
  }

  /**
   * An {@link InterruptedException} from {@code emit} propagates out of {@code read}, and the
   * connector emits nothing after it.
   *
   * @throws Exception what the connector threw
   */
  @Test
  public void stopsWhenInterrupted() throws Exception {
    CollectingEmitter interrupted = new CollectingEmitter(1);
    assertThatThrownBy(() -> connector().read(TestReadContext.of("contract"), null, interrupted))
        .as("InterruptedException from emit must propagate, not be swallowed")
        .isInstanceOf(InterruptedException.class);
    assertThat(interrupted.records()).hasSize(1);
    assertThat(interrupted.callsAfterInterrupt()).as("emits after the interruption").isZero();
  }

  /**
   * After five reads, {@code close} (called twice) leaves no file descriptor open: none into
   * {@link #dataLocation()}, or no more than before in the JVM.
   *
   * @throws Exception what the connector threw
   */
  @Test
  public void closeReleasesResourcesAndIsIdempotent() throws Exception {
    Connector c = createConnector();
    readFromWarmUp(c);
    Path data = dataLocation();
    long before = !OpenFiles.countable() ? -1 : data != null ? OpenFiles.countUnder(data) : OpenFiles.count();
    for (int i = 0; i < 5; i++) {
      c.read(TestReadContext.of("contract"), null, new CollectingEmitter());
    }
    c.close();
    c.close();
    if (data != null && before >= 0) {
      assertThat(OpenFiles.countUnder(data)).as("descriptors open into %s after five reads and close", data).isZero();
    } else if (before >= 0) {
      assertThat(OpenFiles.count())
          .as("open file descriptors after five reads and close")
          .isLessThanOrEqualTo(before);
    }
  }

  private static void readFromWarmUp(Connector c) throws Exception {
    // The first read may load classes and open shared resources (jars, pools) once.
    c.read(TestReadContext.of("contract"), null, new CollectingEmitter());
  }

  private static List<String> keys(List<Record> records) {
    return records.stream().map(Record::key).toList();
  }
}
