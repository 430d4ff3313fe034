package dev.sluice.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import dev.sluice.Sluice;
import dev.sluice.internal.engine.GuardedDestination;
import dev.sluice.internal.engine.StoreDeadLetters;
import dev.sluice.record.Batch;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.InMemoryStore;
import dev.sluice.testing.FakeTime;
import dev.sluice.testing.ListConnector;
import dev.sluice.testing.RecordingDestination;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DeadLettersTest {
  private final InMemoryStore store = new InMemoryStore();
  private final FakeTime time = new FakeTime();
  private final RecordingDestination crm = new RecordingDestination();
  private final RecordingDestination chat = new RecordingDestination();
  private final AtomicBoolean crmDown = new AtomicBoolean(true);
  private final AtomicBoolean chatDown = new AtomicBoolean(true);
  private Sluice sluice;

  @BeforeEach
  void parkSomeRecords() {
    crm.behave((batch, call) -> {
      if (crmDown.get()) {
        throw DeliveryException.permanent("HTTP 422: field 'email' is invalid");
      }
      return DeliveryResult.success();
    });
    chat.behave((batch, call) -> {
      if (chatDown.get()) {
        throw DeliveryException.retryable("HTTP 503");
      }
      return DeliveryResult.success();
    });
    sluice = Sluice.builder().store(store).clock(time).sleeper(time)
        .destination("crm", crm, d -> d.maxAttempts(2).noCircuitBreaker())
        .destination("chat", chat, d -> d.maxAttempts(3).noCircuitBreaker())
        .pipeline("orders", p -> p.source(ListConnector.of(6, 3))
            .route(r -> r.transform(rec -> List.of(rec.withData(rec.data().deepCopy().put("tier", "gold"))))
                .to("crm"))
            .route(r -> r.when("$.amount > 40").to("chat")))
        .build();
    sluice.run("orders");
    assertThat(store.deadLetters().count(DeadLetterQuery.of("orders", "crm"))).isEqualTo(6);
    assertThat(store.deadLetters().count(DeadLetterQuery.of("orders", "chat"))).isEqualTo(2);
    crm.batches.clear();
    chat.batches.clear();
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    sluice.close();
  }

  @Test
  void replayByDestinationRedeliversTheTransformedRecordWithTheSameIdempotencyKeysAndDeletesWhatSucceeded()
      throws Exception {
    crmDown.set(false);

    ReplayReport report = sluice.deadLetters().replay(DeadLetterQuery.of(null, "crm"));

    assertThat(report.selected()).isEqualTo(6);
    assertThat(report.delivered()).isEqualTo(6);
    assertThat(report.failedAgain()).isZero();
    assertThat(crm.receivedKeys()).containsExactly("k1", "k2", "k3", "k4", "k5", "k6");
    assertThat(crm.received).allSatisfy(r -> assertThat(r.data().get("tier").asText()).isEqualTo("gold"));
    Batch replayed = crm.batches.get(0);
    assertThat(replayed.pipeline()).isEqualTo("orders");
    assertThat(replayed.runId()).isEqualTo(report.runId());
    assertThat(replayed.idempotencyKey(0)).isEqualTo(IdempotencyKeys.of("orders", "k1"));
    assertThat(crm.finishedRuns).contains(report.runId() + ":true");
    assertThat(store.deadLetters().count(DeadLetterQuery.of(null, "crm"))).isZero();
    assertThat(store.deadLetters().count(DeadLetterQuery.of(null, "chat"))).as("other destinations untouched")
        .isEqualTo(2);
    assertThat(chat.batches).isEmpty();
  }

  @Test
  void replayingOneIdTouchesOnlyThatDeadLetter() throws Exception {
    crmDown.set(false);
    DeadLetter third = store.deadLetters().list(DeadLetterQuery.of(null, "crm")).get(2);

    ReplayReport report = sluice.deadLetters().replay(third.id());

    assertThat(report.delivered()).isEqualTo(1);
    assertThat(crm.receivedKeys()).containsExactly("k3");
    assertThat(store.deadLetters().find(third.id())).isEmpty();
    assertThat(store.deadLetters().count(DeadLetterQuery.all())).isEqualTo(7);
    assertThatThrownBy(() -> sluice.deadLetters().replay(third.id()))
        .isInstanceOf(UnknownDeadLetterException.class)
        .hasMessageContaining("no dead letter with id " + third.id());
  }

  @Test
  void deadLettersThatFailAgainKeepTheirIdWithTheNewReasonAndAttemptsAddedUp() throws Exception {
    List<DeadLetter> before = store.deadLetters().list(DeadLetterQuery.of(null, "chat"));
    assertThat(before).allSatisfy(d -> assertThat(d.attempts()).isEqualTo(3));
    chat.behave((batch, call) -> { throw DeliveryException.retryable("HTTP 504: gateway timeout"); });

    ReplayReport report = sluice.deadLetters().replay(DeadLetterQuery.all());

    assertThat(report.selected()).isEqualTo(8);
    assertThat(report.failedAgain()).isEqualTo(8);
    assertThat(report.problems()).anySatisfy(p -> assertThat(p).contains("HTTP 504"));
    List<DeadLetter> after = store.deadLetters().list(DeadLetterQuery.of(null, "chat"));
    assertThat(after).extracting(DeadLetter::id).containsExactlyElementsOf(before.stream().map(DeadLetter::id).toList());
    assertThat(after).allSatisfy(d -> {
      assertThat(d.attempts()).isEqualTo(6);
      assertThat(d.reason()).isEqualTo("gave up after 3 attempts: HTTP 504: gateway timeout");
      assertThat(d.lastFailedAt()).isAfter(d.firstFailedAt());
    });
    assertThat(chat.finishedRuns).contains(report.runId() + ":false");
  }

  @Test
  void aStoreThatReAddsOnUpdateIsNotReplayedTwiceInOneCall() throws Exception {
    // A store breaking the contract by deleting and re-adding on update gives the failure a higher
    // id, which the same replay's paging would meet again, and again.
    InMemoryStore plain = new InMemoryStore();
    dev.sluice.store.DeadLetterStore reAdding = new dev.sluice.store.DeadLetterStore() {
      final dev.sluice.store.DeadLetterStore d = plain.deadLetters();
      public DeadLetter add(DeadLetter x) { return d.add(x); }
      public java.util.Optional<DeadLetter> find(long id) { return d.find(id); }
      public List<DeadLetter> list(DeadLetterQuery q) { return d.list(q); }
      public long count(DeadLetterQuery q) { return d.count(q); }
      public boolean delete(long id) { return d.delete(id); }
      public java.util.Optional<DeadLetter> update(DeadLetter x) {
        return d.delete(x.id()) ? java.util.Optional.of(d.add(x)) : java.util.Optional.empty();
      }
      public long purge(DeadLetterQuery q) { return d.purge(q); }
    };
    for (DeadLetter d : store.deadLetters().list(DeadLetterQuery.of(null, "chat"))) {
      reAdding.add(d);
    }
    chat.behave((batch, call) -> { throw DeliveryException.retryable("still down"); });
    GuardedDestination g = new GuardedDestination("chat", chat,
        DeliverySettings.builder().maxAttempts(1).noCircuitBreaker().build(), time, time);
    DeadLetters deadLetters = new StoreDeadLetters(reAdding, java.util.Map.of("chat", g), () -> "replay-1", time);
    int callsBefore = chat.calls.get();

    ReplayReport report = deadLetters.replay(DeadLetterQuery.all());

    assertThat(report.selected()).isEqualTo(2);
    assertThat(report.failedAgain()).isEqualTo(2);
    assertThat(chat.calls.get() - callsBefore).as("one batch, one attempt").isEqualTo(1);
    assertThat(reAdding.list(DeadLetterQuery.all())).hasSize(2)
        .allSatisfy(d -> assertThat(d.attempts()).isEqualTo(4));
  }

  @Test
  void rejectedInputRoutingFailuresOfUnknownPipelinesAndUnknownDestinationsAreSkippedAndKept() throws Exception {
    store.deadLetters().add(deadLetter(DeadLetter.SOURCE, "input.jsonl:7"));
    store.deadLetters().add(new DeadLetter(0, "retired-pipeline", DeadLetter.ROUTER, "run-0", "k9",
        dev.sluice.record.RecordCodec.toJson(Record.of("k9", ListConnector.order(1))), null, "why", 0,
        time.instant(), time.instant()));
    store.deadLetters().add(deadLetter("retired-destination", "k10"));
    crmDown.set(false);
    chatDown.set(false);

    ReplayReport report = sluice.deadLetters().replay(DeadLetterQuery.all());

    assertThat(report.selected()).isEqualTo(11);
    assertThat(report.delivered()).isEqualTo(8);
    assertThat(report.skipped()).isEqualTo(3);
    assertThat(report.problems()).hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("input.jsonl:7").contains("fix the source"))
        .anySatisfy(p -> assertThat(p).contains("k9").contains("pipeline 'retired-pipeline' is not defined here"))
        .anySatisfy(p -> assertThat(p).contains("destination 'retired-destination' is not defined"));
    assertThat(store.deadLetters().list(DeadLetterQuery.all())).extracting(DeadLetter::recordKey)
        .containsExactly("input.jsonl:7", "k9", "k10");
    assertThat(report.render()).contains("11 selected, 8 delivered, 0 failed again, 3 skipped");
  }

  @Test
  void purgeByQueryAndById() {
    List<DeadLetter> crmLetters = sluice.deadLetters().list(DeadLetterQuery.of("orders", "crm"));

    assertThat(sluice.deadLetters().purge(crmLetters.get(0).id())).isTrue();
    assertThat(sluice.deadLetters().purge(crmLetters.get(0).id())).isFalse();
    assertThat(sluice.deadLetters().purge(DeadLetterQuery.of("orders", "chat"))).isEqualTo(2);

    assertThat(sluice.deadLetters().count(DeadLetterQuery.all())).isEqualTo(5);
    List<String> left = new ArrayList<>();
    sluice.deadLetters().list(DeadLetterQuery.all()).forEach(d -> left.add(d.destination() + ":" + d.recordKey()));
    assertThat(left).containsExactly("crm:k2", "crm:k3", "crm:k4", "crm:k5", "crm:k6");
    assertThat(crm.batches).as("purge delivers nothing").isEmpty();
  }

  private DeadLetter deadLetter(String destination, String key) {
    return new DeadLetter(0, "orders", destination, "run-0", key,
        dev.sluice.record.RecordCodec.toJson(Record.of(key, ListConnector.order(1))), null, "why", 1,
        time.instant(), time.instant());
  }
}
