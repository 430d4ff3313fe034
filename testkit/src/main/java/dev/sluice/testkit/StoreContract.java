package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.RunRecord;
import dev.sluice.store.Store;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} must do: its required parts (checkpoints, runs, dead letters). Subclass
 * it with a factory for a store on fresh, empty state, and implement the contract interface of every
 * optional capability the store offers: {@link UserStoreContract}, {@link SecretStoreContract},
 * {@link PipelineStoreContract}. {@link #everyOfferedCapabilityIsHeldToItsContract} fails when a
 * store offers a capability whose contract the subclass does not implement.
 *
 * <pre>{@code
 * class MyStoreContractTest extends StoreContract implements SecretStoreContract { ... }
 * }</pre>
 *
 * <p>Instants used here are truncated to milliseconds, the precision every store must keep.
 */
public abstract class StoreContract {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Instant T0 = Instant.parse("2026-03-29T01:30:00.123Z");

  protected Store store;

  /** A store on fresh, empty state. */
  protected abstract Store createStore() throws Exception;

  /**
   * A second store instance on the same underlying data as {@link #store} (e.g. a second
   * connection pool on the same database). In-memory stores return {@code store} itself.
   */
  protected abstract Store openSecondInstance() throws Exception;

  /** The store under test, on fresh state for each test (for the capability contracts). */
  public Store store() {
    return store;
  }

  /** A second store instance on the same data (see {@link #openSecondInstance()}). */
  public Store secondInstance() throws Exception {
    return openSecondInstance();
  }

  @BeforeEach
  void openStore() throws Exception {
    store = createStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private static ObjectNode json(String field, String value) {
    return F.objectNode().put(field, value);
  }

  private static RunRecord run(String id, String pipeline, Instant started) {
    return RunRecord.started(id, pipeline, "api", started);
  }

  private static DeadLetter deadLetter(String pipeline, String destination, String key) {
    ObjectNode record = F.objectNode().put("key", key);
    record.putObject("data").put("id", key).put("amount", 12.5);
    return new DeadLetter(0, pipeline, destination, "run-1", key, record, null, "HTTP 400: bad",
        3, T0, T0.plusSeconds(30));
  }

  // --- checkpoints -------------------------------------------------------------------------

  @Test
  public void checkpointOfAPipelineThatNeverCommittedIsEmpty() {
    assertThat(store.checkpoints().load("never")).isEmpty();
  }

  @Test
  public void committedCheckpointIsLoadedBackWithTheRunProgress() {
    store.runs().save(run("r1", "orders", T0));
    ObjectNode state = F.objectNode().put("offset", 12345L).put("file", "orders.jsonl");
    RunRecord progress = new RunRecord("r1", "orders", "api", RunStatus.RUNNING, T0, null, 100, 90, 10,
        json("note", "progress"), null);

    store.checkpoints().commit("orders", Checkpoint.of(state), progress);

    assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of(state));
    assertThat(store.runs().find("r1")).hasValueSatisfying(r -> {
      assertThat(r.recordsRead()).isEqualTo(100);
      assertThat(r.recordsDelivered()).isEqualTo(90);
      assertThat(r.recordsDeadLettered()).isEqualTo(10);
    });
  }

  @Test
  public void laterCommitReplacesTheCheckpointAndResetForgetsIt() {
    store.runs().save(run("r1", "orders", T0));
    RunRecord progress = run("r1", "orders", T0);
    store.checkpoints().commit("orders", Checkpoint.of("records", 1), progress);
    store.checkpoints().commit("orders", Checkpoint.of("records", 2), progress);
    store.checkpoints().commit("other", Checkpoint.of("records", 7), run("r2", "other", T0));

    assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("records", 2));
    store.checkpoints().reset("orders");
    assertThat(store.checkpoints().load("orders")).isEmpty();
    assertThat(store.checkpoints().load("other")).contains(Checkpoint.of("records", 7));
  }

  // --- runs --------------------------------------------------------------------------------

  @Test
  public void runIsSavedUpdatedAndFound() {
    store.runs().save(run("r1", "orders", T0));
    ObjectNode details = F.objectNode();
    details.putObject("ruleMatches").put("big", 3);
    RunRecord done = new RunRecord("r1", "orders", "cron 0 * * * *", RunStatus.FAILED, T0,
        T0.plus(1500, ChronoUnit.MILLIS), 10, 8, 2, details, "source failed: HTTP 500");
    store.runs().save(done);

    RunRecord found = store.runs().find("r1").orElseThrow();
    assertThat(found.status()).isEqualTo(RunStatus.FAILED);
    assertThat(found.trigger()).isEqualTo("cron 0 * * * *");
    assertThat(found.startedAt()).isEqualTo(T0);
    assertThat(found.finishedAt()).isEqualTo(T0.plus(1500, ChronoUnit.MILLIS));
    assertThat(found.details()).isEqualTo(details);
    assertThat(found.error()).isEqualTo("source failed: HTTP 500");
    assertThat(store.runs().find("missing")).isEmpty();
  }

  @Test
  public void runsAreListedNewestFirstPerPipelineWithALimit() {
    for (int i = 0; i < 5; i++) {
      store.runs().save(run("a" + i, "a", T0.plusSeconds(i)));
      store.runs().save(run("b" + i, "b", T0.plusSeconds(i)));
    }
    assertThat(store.runs().list("a", 3)).extracting(RunRecord::id).containsExactly("a4", "a3", "a2");
    assertThat(store.runs().list(null, 2)).extracting(RunRecord::startedAt)
        .containsExactly(T0.plusSeconds(4), T0.plusSeconds(4));
    assertThat(store.runs().list(null, 100)).hasSize(10);
  }

  // --- dead letters ------------------------------------------------------------------------

  @Test
  public void deadLettersGetIncreasingIdsAndKeepEverything() {
    DeadLetter first = store.deadLetters().add(deadLetter("orders", "slack", "k1"));
    DeadLetter second = store.deadLetters().add(deadLetter("orders", "slack", "k2"));

    assertThat(second.id()).isGreaterThan(first.id());
    DeadLetter found = store.deadLetters().find(first.id()).orElseThrow();
    assertThat(found).isEqualTo(deadLetter("orders", "slack", "k1").withId(first.id()));
  }

  @Test
  public void deadLettersAreFilteredPagedCountedAndPurged() {
    List<Long> slack = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      slack.add(store.deadLetters().add(deadLetter("orders", "slack", "s" + i)).id());
      store.deadLetters().add(deadLetter("orders", "db", "d" + i));
      store.deadLetters().add(deadLetter("deals", "slack", "x" + i));
    }
    DeadLetterQuery ordersSlack = DeadLetterQuery.of("orders", "slack");

    assertThat(store.deadLetters().count(ordersSlack)).isEqualTo(5);
    assertThat(store.deadLetters().count(DeadLetterQuery.of(null, "slack"))).isEqualTo(10);
    List<DeadLetter> page1 = store.deadLetters().list(ordersSlack.withLimit(2));
    assertThat(page1).extracting(DeadLetter::id).containsExactly(slack.get(0), slack.get(1));
    List<DeadLetter> page2 = store.deadLetters().list(ordersSlack.withLimit(2).after(page1.get(1).id()));
    assertThat(page2).extracting(DeadLetter::recordKey).containsExactly("s2", "s3");

    assertThat(store.deadLetters().delete(slack.get(0))).isTrue();
    assertThat(store.deadLetters().delete(slack.get(0))).isFalse();
    assertThat(store.deadLetters().purge(ordersSlack)).isEqualTo(4);
    assertThat(store.deadLetters().count(DeadLetterQuery.all())).isEqualTo(10);
  }

  @Test
  public void aDeadLetterThatFailsAgainIsUpdated() {
    DeadLetter parked = store.deadLetters().add(deadLetter("orders", "slack", "k1"));
    store.deadLetters().add(deadLetter("orders", "slack", "k2"));
    DeadLetter again = parked.failedAgain("HTTP 503: unavailable", 4, T0.plusSeconds(90));

    DeadLetter stored = store.deadLetters().update(again).orElseThrow();

    assertThat(stored.id()).as("updated in place").isEqualTo(parked.id());
    assertThat(store.deadLetters().find(parked.id())).contains(again);
    assertThat(stored.attempts()).isEqualTo(7);
    assertThat(stored.firstFailedAt()).isEqualTo(T0);
    assertThat(store.deadLetters().count(DeadLetterQuery.all())).isEqualTo(2);
    store.deadLetters().delete(parked.id());
    assertThat(store.deadLetters().update(again)).as("gone").isEmpty();
    assertThat(store.deadLetters().count(DeadLetterQuery.all())).isEqualTo(1);
  }

  @Test
  public void concurrentDeadLettersAllGetDistinctIds() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Long>> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        ids.add(pool.submit(() -> store.deadLetters().add(deadLetter("p", "d", "k" + n)).id()));
      }
      Set<Long> distinct = new HashSet<>();
      for (Future<Long> id : ids) {
        distinct.add(id.get());
      }
      assertThat(distinct).hasSize(200);
      assertThat(store.deadLetters().count(DeadLetterQuery.all())).isEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
  }

  // --- capabilities ------------------------------------------------------------------------

  @Test
  public void everyOfferedCapabilityIsHeldToItsContract() {
    assertThat(this instanceof UserStoreContract)
        .as("%s offers users(): implement UserStoreContract", store).isEqualTo(store.users().isPresent());
    assertThat(this instanceof SecretStoreContract)
        .as("%s offers secrets(): implement SecretStoreContract", store).isEqualTo(store.secrets().isPresent());
    assertThat(this instanceof PipelineStoreContract)
        .as("%s offers pipelines(): implement PipelineStoreContract", store).isEqualTo(store.pipelines().isPresent());
  }

  // --- sharing -----------------------------------------------------------------------------

  @Test
  public void twoInstancesOnTheSameDataSeeEachOthersWrites() throws Exception {
    Store second = openSecondInstance();
    try {
      String pipeline = "shared-" + UUID.randomUUID();
      store.runs().save(run("s1", pipeline, T0));
      second.checkpoints().commit(pipeline, Checkpoint.of("records", 5), run("s1", pipeline, T0));
      DeadLetter parked = second.deadLetters().add(deadLetter(pipeline, "slack", "k"));

      assertThat(store.checkpoints().load(pipeline)).contains(Checkpoint.of("records", 5));
      assertThat(store.deadLetters().find(parked.id())).isPresent();
      assertThat(second.runs().find("s1")).isPresent();
    } finally {
      if (second != store) {
        second.close();
      }
    }
  }
}
