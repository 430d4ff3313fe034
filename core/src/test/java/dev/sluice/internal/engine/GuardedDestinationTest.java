package dev.sluice.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import dev.sluice.delivery.DeliverySettings;
import dev.sluice.delivery.Sleeper;
import dev.sluice.internal.engine.GuardedDestination.CircuitState;
import dev.sluice.internal.engine.GuardedDestination.Outcome;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.testing.FakeTime;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GuardedDestinationTest {
  private final FakeTime time = new FakeTime();
  private final RecordingDestination destination = new RecordingDestination();
  /** Instants (fake time) at which the destination was called. */
  private final List<Instant> calls = new CopyOnWriteArrayList<>();

  /** Jitter always picks the top of the range, so waits are exact. */
  private GuardedDestination guarded(Consumer<DeliverySettings.Builder> settings) {
    DeliverySettings.Builder b = DeliverySettings.builder().noCircuitBreaker();
    settings.accept(b);
    return new GuardedDestination("hook", destination, b.build(), time, time, bound -> bound - 1);
  }

  private static List<Record> records(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> Record.of("k" + i, ListConnector.order(i))).toList();
  }

  private void behave(RecordingDestination.Behaviour b) {
    destination.behave((batch, call) -> {
      calls.add(time.instant());
      return b.deliver(batch, call);
    });
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  @Test
  void backoffDoublesFromTheInitialDelayUpToTheCapThenGivesUp() throws Exception {
    behave((batch, call) -> { throw DeliveryException.retryable("HTTP 503"); });
    GuardedDestination g = guarded(b -> b.maxAttempts(6).initialBackoff(ms(100)).maxBackoff(ms(1000)));

    Outcome out = g.deliver("orders", "run-1", records(2), () -> false);

    assertThat(time.waits).containsExactly(ms(100), ms(200), ms(400), ms(800), ms(1000));
    assertThat(calls).containsExactly(FakeTime.START, FakeTime.START.plusMillis(100),
        FakeTime.START.plusMillis(300), FakeTime.START.plusMillis(700), FakeTime.START.plusMillis(1500),
        FakeTime.START.plusMillis(2500));
    assertThat(out.delivered()).isZero();
    assertThat(out.retries()).isEqualTo(5);
    assertThat(out.failures()).hasSize(2).allSatisfy((i, f) -> {
      assertThat(f.reason()).isEqualTo("gave up after 6 attempts: HTTP 503");
      assertThat(f.attempts()).isEqualTo(6);
      assertThat(f.firstFailedAt()).isEqualTo(FakeTime.START);
      assertThat(f.lastFailedAt()).isEqualTo(FakeTime.START.plusMillis(2500));
    });
  }

  @Test
  void anUnexpectedRuntimeExceptionIsABugTriedTwiceThenADeadLetterNamingItsClass() throws Exception {
    behave((batch, call) -> {
      String name = batch.get(0).data().get("name").asText(); // the record has no name: NPE
      return DeliveryResult.success();
    });
    GuardedDestination g = guarded(b -> b.maxAttempts(5).initialBackoff(ms(100)).circuitBreaker(1, Duration.ofSeconds(30)));

    Outcome out = g.deliver("orders", "run-1", records(2), () -> false);

    assertThat(calls).as("tried once more, not maxAttempts times").hasSize(2);
    assertThat(out.delivered()).isZero();
    assertThat(out.failures()).hasSize(2).allSatisfy((i, f) -> {
      assertThat(f.reason()).startsWith("permanent failure: bug in destination 'hook': java.lang.NullPointerException")
          .contains("(at dev.sluice.internal.engine.GuardedDestinationTest");
      assertThat(f.attempts()).isEqualTo(2);
    });
    assertThat(g.circuitState()).as("a bug on a record is not an outage").isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void checkedAndUncheckedIoFailuresStayRetryableOutages() throws Exception {
    behave((batch, call) -> {
      if (call == 1) {
        throw new java.io.IOException("disk unavailable");
      }
      if (call == 2) {
        throw new java.io.UncheckedIOException(new java.io.IOException("connection reset"));
      }
      return DeliveryResult.success();
    });
    GuardedDestination g = guarded(b -> b.maxAttempts(3).initialBackoff(ms(100)));

    Outcome out = g.deliver("orders", "run-1", records(2), () -> false);

    assertThat(out.delivered()).isEqualTo(2);
    assertThat(out.attempts()).isEqualTo(3);
  }

  @Test
  void fullJitterDrawsUniformlyBelowTheExponentialCeiling() {
    GuardedDestination g = new GuardedDestination("hook", destination,
        DeliverySettings.builder().initialBackoff(ms(100)).maxBackoff(ms(10_000)).build(), time, time);
    List<Duration> third = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      third.add(g.backoff(3));
    }
    assertThat(third).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, ms(400)));
    assertThat(third).as("spread over the whole range, not clustered at the ceiling")
        .anySatisfy(d -> assertThat(d).isLessThan(ms(100)))
        .anySatisfy(d -> assertThat(d).isGreaterThan(ms(300)));
    assertThat(g.backoff(40)).isLessThanOrEqualTo(ms(10_000)); // no overflow for late attempts
  }

  @Test
  void maxElapsedTimeEndsRetriesBeforeAWaitThatWouldPassIt() throws Exception {
    behave((batch, call) -> { throw DeliveryException.retryable("connection reset"); });
    GuardedDestination g = guarded(b -> b.maxAttempts(100).initialBackoff(ms(200)).maxBackoff(ms(5000))
        .maxElapsedTime(Duration.ofSeconds(1)));

    Outcome out = g.deliver("orders", "run-1", records(1), () -> false);

    // 200 ms, 400 ms, then 800 ms would end at 1.4 s > 1 s.
    assertThat(time.waits).containsExactly(ms(200), ms(400));
    assertThat(calls).hasSize(3);
    assertThat(out.failure(0)).hasValueSatisfying(f -> {
      assertThat(f.attempts()).isEqualTo(3);
      assertThat(f.reason()).startsWith("gave up after 3 attempts in PT0.6S")
          .contains("maxElapsedTime PT1S").endsWith("connection reset");
    });
  }

  @Test
  void retryAfterWinsOverAShorterBackoffButNotOverALongerOne() throws Exception {
    behave((batch, call) -> {
      if (call == 1) {
        throw DeliveryException.retryAfter("HTTP 429", Duration.ofSeconds(7));
      }
      if (call == 2) {
        throw DeliveryException.retryAfter("HTTP 503", ms(1)); // shorter than the 400 ms backoff
      }
      return DeliveryResult.success();
    });
    GuardedDestination g = guarded(b -> b.initialBackoff(ms(200)));

    Outcome out = g.deliver("orders", "run-1", records(3), () -> false);

    assertThat(out.delivered()).isEqualTo(3);
    assertThat(time.waits).containsExactly(Duration.ofSeconds(7), ms(400));
  }

  @Test
  void perRecordFailuresRetryOnlyTheFailedRecordsAndHonourTheirRetryAfter() throws Exception {
    behave((batch, call) -> {
      if (call == 1) {
        return DeliveryResult.partial(Map.of(
            1, new RecordFailure("rate limited", true, Duration.ofSeconds(3)),
            2, RecordFailure.permanent("invalid email"),
            3, RecordFailure.retryable("timeout")));
      }
      return DeliveryResult.success();
    });
    GuardedDestination g = guarded(b -> {});

    Outcome out = g.deliver("orders", "run-1", records(5), () -> false);

    assertThat(destination.batches.get(1).records()).extracting(Record::key).containsExactly("k2", "k4");
    assertThat(destination.batches.get(1).attempt()).isEqualTo(2);
    assertThat(time.waits).containsExactly(Duration.ofSeconds(3));
    assertThat(out.delivered()).isEqualTo(4);
    assertThat(out.failures()).containsOnlyKeys(2);
    assertThat(out.failure(2)).hasValueSatisfying(f -> {
      assertThat(f.reason()).isEqualTo("permanent failure: invalid email");
      assertThat(f.attempts()).isEqualTo(1);
    });
  }

  @Test
  void theBreakerOpensAfterConsecutiveFailuresAndAnOpenBreakerMakesDeliveriesWaitWithoutSpendingAttempts()
      throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    List<CircuitState> statesSeenByCalls = new CopyOnWriteArrayList<>();
    GuardedDestination[] self = new GuardedDestination[1];
    behave((batch, call) -> {
      statesSeenByCalls.add(self[0].circuitState());
      if (down.get()) {
        throw DeliveryException.retryable("HTTP 502");
      }
      return DeliveryResult.success();
    });
    GuardedDestination g = guarded(b -> b.circuitBreaker(3, Duration.ofSeconds(30)).maxAttempts(3)
        .initialBackoff(ms(100)).maxBackoff(ms(100)));
    self[0] = g;
    assertThat(g.circuitState()).isEqualTo(CircuitState.CLOSED);

    // Three failed attempts: the batch is given up and the breaker opens.
    Outcome first = g.deliver("orders", "run-1", records(1), () -> false);
    assertThat(first.failure(0)).hasValueSatisfying(f -> assertThat(f.attempts()).isEqualTo(3));
    assertThat(g.circuitState()).isEqualTo(CircuitState.OPEN);
    assertThat(calls).hasSize(3);

    // While open, the next batch waits out the open period instead of calling (and failing).
    down.set(false);
    time.waits.clear();
    Instant openedAt = time.instant();
    Outcome second = g.deliver("orders", "run-1", records(1), () -> false);
    assertThat(second.delivered()).isEqualTo(1);
    assertThat(second.attempts()).as("the wait is not an attempt").isEqualTo(1);
    assertThat(calls).hasSize(4);
    assertThat(calls.get(3)).isAfter(openedAt.plusSeconds(30));
    assertThat(time.waits).singleElement().isEqualTo(Duration.ofSeconds(30).plusMillis(1));
    assertThat(statesSeenByCalls.get(3)).as("the first call after the open period is the probe")
        .isEqualTo(CircuitState.HALF_OPEN);
    assertThat(g.circuitState()).as("a successful probe closes it").isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aFailedProbeOpensTheBreakerAgain() throws Exception {
    behave((batch, call) -> {
      if (call <= 3) {
        throw DeliveryException.retryable("HTTP 503");
      }
      return DeliveryResult.success();
    });
    GuardedDestination g = guarded(b -> b.circuitBreaker(2, Duration.ofSeconds(10)).maxAttempts(10)
        .initialBackoff(ms(50)).maxBackoff(ms(50)));

    Outcome out = g.deliver("orders", "run-1", records(1), () -> false);

    // call 1 fails, call 2 fails (opens), wait 10 s, probe (call 3) fails: open again, wait 10 s, call 4.
    assertThat(out.delivered()).isEqualTo(1);
    assertThat(calls).hasSize(4);
    assertThat(out.attempts()).isEqualTo(4);
    assertThat(Duration.between(calls.get(2), calls.get(3))).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
    assertThat(Duration.between(calls.get(1), calls.get(2))).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
    assertThat(g.circuitState()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aRateLimitWaitInterruptedAfterTheProbePermitWasTakenDoesNotWedgeTheBreakerHalfOpen() throws Exception {
    AtomicBoolean down = new AtomicBoolean(true);
    behave((batch, call) -> {
      if (down.get()) {
        throw DeliveryException.retryable("HTTP 503");
      }
      return DeliveryResult.success();
    });
    // One failure opens the breaker for 10 s; one attempt per minute.
    AtomicBoolean interruptNextLongWait = new AtomicBoolean();
    Sleeper sleeper = d -> {
      if (d.compareTo(Duration.ofSeconds(20)) > 0 && interruptNextLongWait.getAndSet(false)) {
        throw new InterruptedException("host thread interrupted");
      }
      time.sleep(d);
    };
    GuardedDestination g = new GuardedDestination("hook", destination, DeliverySettings.builder()
        .circuitBreaker(1, Duration.ofSeconds(10)).rateLimit(1, Duration.ofMinutes(1)).maxAttempts(1).build(),
        time, sleeper, bound -> bound - 1);

    assertThat(g.deliver("orders", "run-1", records(1), () -> false).failures()).hasSize(1);
    assertThat(g.circuitState()).isEqualTo(CircuitState.OPEN);

    // The next delivery waits out the open period, takes the probe permit, then waits for the rate
    // limit: that wait is interrupted (not because delivery stops).
    interruptNextLongWait.set(true);
    assertThatThrownBy(() -> g.deliver("orders", "run-1", records(1), () -> false))
        .isInstanceOf(InterruptedException.class);

    down.set(false);
    Outcome after = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> g.deliver("orders", "run-1", records(1), () -> false),
        "a later delivery must get the probe permit the interrupted one took");
    assertThat(after.delivered()).isEqualTo(1);
    assertThat(g.circuitState()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void aProbeThatNeverReportsCountsAsFailedAfterTheProbeTimeout() throws Exception {
    java.util.concurrent.CountDownLatch probeMayReturn = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch probeStarted = new java.util.concurrent.CountDownLatch(1);
    behave((batch, call) -> {
      if (call == 1) {
        throw DeliveryException.retryable("HTTP 503");
      }
      if (call == 2) { // the probe: hangs until the test lets it go
        probeStarted.countDown();
        probeMayReturn.await();
      }
      return DeliveryResult.success();
    });
    GuardedDestination g = guarded(b -> b.circuitBreaker(1, Duration.ofSeconds(10))
        .probeTimeout(Duration.ofSeconds(60)).maxAttempts(1));
    g.deliver("orders", "run-1", records(1), () -> false);
    assertThat(g.circuitState()).isEqualTo(CircuitState.OPEN);

    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var probe = pool.submit(() -> g.deliver("orders", "run-1", records(1), () -> false));
      assertThat(probeStarted.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(g.circuitState()).isEqualTo(CircuitState.HALF_OPEN);
      var waiting = pool.submit(() -> g.deliver("orders", "run-1", records(1), () -> false));

      time.advance(Duration.ofSeconds(61)); // the probe is silent for longer than the probe timeout
      Outcome second = waiting.get(20, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(second.delivered()).as("a new probe after the next open period got through").isEqualTo(1);
      assertThat(calls).hasSize(3);
      assertThat(g.circuitState()).isEqualTo(CircuitState.CLOSED);
      probeMayReturn.countDown();
      assertThat(probe.get(10, java.util.concurrent.TimeUnit.SECONDS).delivered()).isEqualTo(1);
    } finally {
      probeMayReturn.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void anOpenBreakerOutlastingTheBudgetParksTheRecordsWithTheReason() throws Exception {
    behave((batch, call) -> { throw DeliveryException.retryable("HTTP 503"); });
    GuardedDestination g = guarded(b -> b.circuitBreaker(1, Duration.ofMinutes(5)).maxAttempts(10)
        .maxElapsedTime(Duration.ofMinutes(1)));

    Outcome out = g.deliver("orders", "run-1", records(2), () -> false);

    assertThat(calls).hasSize(1);
    assertThat(out.failures()).hasSize(2).allSatisfy((i, f) -> {
      assertThat(f.attempts()).isEqualTo(1);
      assertThat(f.reason()).contains("circuit breaker open").contains("last error: HTTP 503");
    });
  }

  @Test
  void permanentFailuresAndPartialAnswersDoNotOpenTheBreaker() throws Exception {
    behave((batch, call) -> { throw DeliveryException.permanent("HTTP 400"); });
    GuardedDestination g = guarded(b -> b.circuitBreaker(2, Duration.ofSeconds(30)));
    for (int i = 0; i < 5; i++) {
      g.deliver("orders", "run-1", records(1), () -> false);
    }
    assertThat(calls).hasSize(5);
    assertThat(g.circuitState()).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void theRateLimitSpacesAttempts() throws Exception {
    behave((batch, call) -> DeliveryResult.success());
    GuardedDestination g = guarded(b -> b.rateLimit(2, Duration.ofSeconds(1)));

    for (int i = 0; i < 6; i++) {
      g.deliver("orders", "run-1", records(1), () -> false);
    }

    assertThat(calls).hasSize(6);
    for (int i = 2; i < calls.size(); i++) {
      assertThat(Duration.between(calls.get(i - 2), calls.get(i)))
          .as("no more than 2 calls within one second").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void stoppingAbandonsWhatIsNotDeliveredInsteadOfParkingIt() throws Exception {
    AtomicBoolean stopping = new AtomicBoolean();
    behave((batch, call) -> {
      stopping.set(true); // shutdown arrives while the first attempt fails
      throw DeliveryException.retryable("HTTP 503");
    });
    GuardedDestination g = guarded(b -> {});

    Outcome out = g.deliver("orders", "run-1", records(3), stopping::get);

    assertThat(out.abandoned()).isEqualTo(3);
    assertThat(out.failures()).isEmpty();
    assertThat(calls).hasSize(1);
  }
}
