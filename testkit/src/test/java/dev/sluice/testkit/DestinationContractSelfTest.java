package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The destination contract catches what it promises to catch: deliberately broken destinations
 * (each with one bug) run through it, and exactly the contract tests about that bug fail. A correct
 * in-memory destination passes every test.
 */
class DestinationContractSelfTest {

  /** The contract tests of {@code fixture} that failed, by method name. */
  private static Set<String> failedTests(Class<? extends DestinationContract> fixture) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build(),
        listener);
    TestExecutionSummary summary = listener.getSummary();
    assertThat(summary.getTestsFoundCount()).as("the contract's tests ran").isEqualTo(11);
    Set<String> failed = new TreeSet<>();
    for (TestExecutionSummary.Failure f : summary.getFailures()) {
      failed.add(f.getTestIdentifier().getDisplayName().replace("()", ""));
    }
    return failed;
  }

  /** A correct destination: keeps payloads in memory; an outage throws IOException. */
  static class InMemory implements Destination {
    final List<ObjectNode> sink = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    volatile boolean outage;

    @Override
    public DeliveryResult deliver(Batch batch) throws Exception {
      if (outage) {
        throw new IOException("sink unavailable");
      }
      synchronized (this) {
        for (int i = 0; i < batch.size(); i++) {
          sink.add(batch.get(i).data());
          keys.add(batch.idempotencyKey(i));
        }
      }
      return DeliveryResult.success();
    }
  }

  /** The contract on a destination made by {@link #destination()}, declared with {@link #declared}. */
  abstract static class Fixture extends DestinationContract {
    InMemory made;

    abstract InMemory make();

    Redelivery declared() {
      return Redelivery.SAME_IDEMPOTENCY_KEYS;
    }

    @Override
    protected Destination createDestination() {
      made = make();
      return made;
    }

    @Override
    protected List<ObjectNode> readBack() {
      synchronized (made) {
        return new ArrayList<>(made.sink);
      }
    }

    @Override
    protected List<String> readBackIdempotencyKeys() {
      synchronized (made) {
        return new ArrayList<>(made.keys);
      }
    }

    @Override
    protected AutoCloseable simulateOutage() throws Exception {
      InMemory d = (InMemory) destination(); // created on first use
      d.outage = true;
      return () -> d.outage = false;
    }

    @Override
    protected Redelivery redelivery() {
      return declared();
    }
  }

  static class Correct extends Fixture {
    @Override
    InMemory make() {
      return new InMemory();
    }
  }

  /** A correct destination with a connection check: FAILED during an outage. */
  static class CorrectWithCheck extends Fixture {
    @Override
    InMemory make() {
      return new Checking();
    }

    static class Checking extends InMemory implements dev.sluice.spi.ConnectionCheck {
      @Override
      public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) {
        return outage ? dev.sluice.spi.ConnectionCheckResult.failed("in-memory sink: unavailable")
            : dev.sluice.spi.ConnectionCheckResult.ok("in-memory sink: available");
      }
    }
  }

  /** A connection check that throws during an outage instead of answering FAILED. */
  static class CheckThrowsOnOutage extends Fixture {
    @Override
    InMemory make() {
      return new Throwing();
    }

    static class Throwing extends InMemory implements dev.sluice.spi.ConnectionCheck {
      @Override
      public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) {
        if (outage) {
          throw new IllegalStateException("sink unavailable");
        }
        return dev.sluice.spi.ConnectionCheckResult.ok("in-memory sink: available");
      }
    }
  }

  /** Throws a NullPointerException on a record without an "id". */
  static class NullPointerOnUnusualRecords extends Fixture {
    @Override
    InMemory make() {
      return new InMemory() {
        @Override
        public DeliveryResult deliver(Batch batch) throws Exception {
          for (Record r : batch.records()) {
            r.data().get("id").asLong();
          }
          return super.deliver(batch);
        }
      };
    }
  }

  /** Claims to deduplicate but appends a redelivered batch again. */
  static class ClaimsDeduplicationButAppends extends Correct {
    @Override
    Redelivery declared() {
      return Redelivery.DEDUPLICATED;
    }
  }

  /** Reports a record whose amount is true (content) as retryable, and accepts nothing odd. */
  static class RefusesContentAsRetryable extends Fixture {
    @Override
    InMemory make() {
      return new InMemory() {
        @Override
        public DeliveryResult deliver(Batch batch) throws Exception {
          Map<Integer, DeliveryResult.RecordFailure> failures = new HashMap<>();
          List<Record> good = new ArrayList<>();
          for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).data().has("name") && batch.get(i).data().get("name").isTextual()) {
              good.add(batch.get(i));
            } else {
              failures.put(i, DeliveryResult.RecordFailure.retryable("no name"));
            }
          }
          super.deliver(new Batch(batch.pipeline(), batch.destination(), batch.runId(), good, batch.attempt()));
          return failures.isEmpty() ? DeliveryResult.success() : DeliveryResult.partial(failures);
        }
      };
    }

    @Override
    protected Batch unacceptableBatch() {
      return batchOf("bad", List.of(Record.of("nameless", sampleRecords(1).get(0).data().deepCopy().putNull("name"))));
    }
  }

  /**
   * Not thread-safe, made deterministic: calls from threads other than the test's own (where the
   * contract created it) wait until two are in flight at once, and then the second one's records
   * are lost, as an unsynchronised list may lose them.
   */
  static class LosesRecordsUnderConcurrency extends Fixture {
    @Override
    InMemory make() {
      Thread testThread = Thread.currentThread();
      CountDownLatch bothInFlight = new CountDownLatch(2);
      return new InMemory() {
        private int calls;

        @Override
        public DeliveryResult deliver(Batch batch) throws Exception {
          if (Thread.currentThread() != testThread) {
            int call;
            synchronized (this) {
              call = ++calls;
            }
            if (call <= 2) {
              bothInFlight.countDown();
              if (bothInFlight.await(30, TimeUnit.SECONDS) && call == 2) {
                return DeliveryResult.success(); // lost
              }
            }
          }
          return super.deliver(batch);
        }
      };
    }
  }

  @Test
  void aCorrectDestinationPassesEveryTest() {
    assertThat(failedTests(Correct.class)).isEmpty();
  }

  @Test
  void aConnectionCheckThatAnswersPassesAndOneThatThrowsIsCaught() {
    assertThat(failedTests(CorrectWithCheck.class)).isEmpty();
    assertThat(failedTests(CheckThrowsOnOutage.class)).containsExactly("connectionCheckAnswersWithoutThrowingOrDelivering");
  }

  @Test
  void aNullPointerExceptionOnUnusualRecordsIsCaught() {
    assertThat(failedTests(NullPointerOnUnusualRecords.class))
        .contains("classifiesEveryFailureOnUnusualRecordsAndKeepsWorking", "reportsUnacceptableRecordsAsPermanentFailures")
        .doesNotContain("deliversABatch", "deliversFromSeveralThreadsAtOnce");
  }

  @Test
  void aRedeliveryThatDuplicatesIsCaughtWhenDeduplicationIsClaimed() {
    assertThat(failedTests(ClaimsDeduplicationButAppends.class))
        .containsExactly("aBatchDeliveredTwiceLeavesWhatTheDestinationDocuments");
  }

  @Test
  void unacceptableContentReportedAsRetryableIsCaught() {
    assertThat(failedTests(RefusesContentAsRetryable.class))
        .contains("reportsUnacceptableRecordsAsPermanentFailures", "classifiesEveryFailureOnUnusualRecordsAndKeepsWorking")
        .doesNotContain("deliversABatch");
  }

  @Test
  void recordsLostUnderConcurrentDeliveryAreCaught() {
    assertThat(failedTests(LosesRecordsUnderConcurrency.class)).containsExactly("deliversFromSeveralThreadsAtOnce");
  }

  @Test
  void anOutageThrownAsAnUnexpectedRuntimeExceptionIsCaught() {
    assertThat(failedTests(OutageAsIllegalState.class)).contains("reportsAnOutageAsRetryable");
  }

  /** Reports an outage by throwing {@link #outageFailure()} instead of the right failure. */
  abstract static class OutageMisreported extends Fixture {
    abstract Exception outageFailure();

    @Override
    InMemory make() {
      return new InMemory() {
        @Override
        public DeliveryResult deliver(Batch batch) throws Exception {
          if (outage) {
            throw outageFailure();
          }
          return super.deliver(batch);
        }
      };
    }
  }

  /** An IllegalStateException, which the engine treats as a plugin bug, not an outage. */
  static class OutageAsIllegalState extends OutageMisreported {
    @Override
    Exception outageFailure() {
      return new IllegalStateException("not connected");
    }
  }

  @Test
  void permanentOutagesAreCaught() {
    assertThat(failedTests(OutageAsPermanent.class)).contains("reportsAnOutageAsRetryable", "neverReportsAnOutageAsPermanent");
  }

  /** A permanent failure. */
  static class OutageAsPermanent extends OutageMisreported {
    @Override
    Exception outageFailure() {
      return DeliveryException.permanent("sink unavailable");
    }
  }
}
