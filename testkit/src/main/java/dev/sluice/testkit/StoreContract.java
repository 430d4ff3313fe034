package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.RunRecord;
import dev.sluice.store.StaleVersionException;
import dev.sluice.store.StoredCheckpoint;
import dev.sluice.store.Store;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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
 * optional capability the store offers: {@link UserStoreContract}, {@link SecretStoreContract}, {@link ReplayCacheContract},
 * {@link PipelineStoreContract}, {@link AuthStateStoreContract}, {@link RoleStoreContract}, {@link AuditLogContract}. {@link #everyOfferedCapabilityIsHeldToItsContract} fails when a
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

  /** The store under test: made by {@link #createStore()} before each test, closed after it. */
  protected Store store;

  /**
   * A store on fresh, empty state.
   *
   * @return a new, open store
   * @throws Exception when it can't be created; the test fails
   */
  protected abstract Store createStore() throws Exception;

  /**
   * A second store instance on the same underlying data as {@link #store} (e.g. a second
   * connection pool on the same database). In-memory stores return {@code store} itself.
   *
   * @return an open store, closed by the test when it is not {@code store}
   * @throws Exception when it can't be opened; the test fails
   */
  protected abstract Store openSecondInstance() throws Exception;

  /**
   * The store under test, on fresh state for each test (for the capability contracts).
   *
   * @return the store, open
   */
  public Store store() {
    return store;
  }

  /**
   * A second store instance on the same data (see {@link #openSecondInstance()}).
   *
   * @return what {@link #openSecondInstance()} returns
   * @throws Exception what {@link #openSecondInstance()} threw
   */
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

  /** Loading the checkpoint of a pipeline that never committed one answers empty. */
  @Test
  public void checkpointOfAPipelineThatNeverCommittedIsEmpty() {
    assertThat(store.checkpoints().load("never")).isEmpty();
  }

  /**
   * A commit stores the checkpoint (version 1, with the committing run) and the run's progress in
   * one step; the checkpoint and its position load back.
   */
  @Test
  public void committedCheckpointIsLoadedBackWithTheRunProgress() {
    store.runs().save(run("r1", "orders", T0));
    ObjectNode state = F.objectNode().put("offset", 12345L).put("file", "orders.jsonl");
    RunRecord progress = new RunRecord("r1", "orders", "api", RunStatus.RUNNING, T0, null, 100, 90, 10,
        json("note", "progress"), null);

    Optional<StoredCheckpoint> stored = store.checkpoints().commit("orders", Checkpoint.of(state), null, progress);

    assertThat(stored).contains(new StoredCheckpoint(Checkpoint.of(state), 1, "r1"));
    assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of(state));
    assertThat(store.checkpoints().position("orders")).isEqualTo(stored);
    assertThat(store.runs().find("r1")).hasValueSatisfying(r -> {
      assertThat(r.recordsRead()).isEqualTo(100);
      assertThat(r.recordsDelivered()).isEqualTo(90);
      assertThat(r.recordsDeadLettered()).isEqualTo(10);
    });
  }

  /**
   * A commit from the current position replaces the checkpoint and counts the version up; a reset
   * forgets only that pipeline's checkpoint.
   */
  @Test
  public void laterCommitReplacesTheCheckpointAndResetForgetsIt() {
    store.runs().save(run("r1", "orders", T0));
    RunRecord progress = run("r1", "orders", T0);
    StoredCheckpoint first = store.checkpoints().commit("orders", Checkpoint.of("records", 1), null, progress)
        .orElseThrow();
    StoredCheckpoint second = store.checkpoints().commit("orders", Checkpoint.of("records", 2), first, progress)
        .orElseThrow();
    store.checkpoints().commit("other", Checkpoint.of("records", 7), null, run("r2", "other", T0));

    assertThat(second.version()).isEqualTo(2);
    assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("records", 2));
    store.checkpoints().reset("orders");
    assertThat(store.checkpoints().load("orders")).isEmpty();
    assertThat(store.checkpoints().load("other")).contains(Checkpoint.of("records", 7));
  }

  /**
   * A commit naming a position that is no longer stored (another run committed first) is refused
   * and writes neither checkpoint nor progress.
   */
  @Test
  public void aCommitNamingAPositionThatIsNoLongerStoredIsRefusedAndWritesNothing() {
    RunRecord slow = new RunRecord("slow", "orders", "api", RunStatus.RUNNING, T0, null, 10, 10, 0, null, null);
    RunRecord fast = new RunRecord("fast", "orders", "api", RunStatus.RUNNING, T0, null, 20, 20, 0, null, null);
    store.runs().save(slow);
    store.runs().save(fast);
    // Both runs loaded "nothing stored"; the fast one commits first.
    StoredCheckpoint fastPosition = store.checkpoints().commit("orders", Checkpoint.of("next", 21), null, fast)
        .orElseThrow();

    RunRecord slowProgress = new RunRecord("slow", "orders", "api", RunStatus.RUNNING, T0, null, 10, 10, 0,
        json("note", "must not be written"), null);
    assertThat(store.checkpoints().commit("orders", Checkpoint.of("next", 11), null, slowProgress))
        .as("the checkpoint would go back").isEmpty();
    assertThat(store.checkpoints().position("orders")).contains(fastPosition);
    assertThat(store.runs().find("slow").orElseThrow().details().has("note"))
        .as("a refused commit writes no progress either").isFalse();

    // A position the run held once but that another run replaced since is stale too.
    StoredCheckpoint next = store.checkpoints().commit("orders", Checkpoint.of("next", 31), fastPosition, fast)
        .orElseThrow();
    assertThat(store.checkpoints().commit("orders", Checkpoint.of("next", 25), fastPosition, slow)).isEmpty();
    assertThat(store.checkpoints().position("orders")).contains(next);
  }

  /**
   * After a reset, a position held from before it can't commit, even when the version number is
   * the same again.
   */
  @Test
  public void afterAResetAPositionFromBeforeItCanNoLongerCommit() {
    store.runs().save(run("old", "orders", T0));
    store.runs().save(run("new", "orders", T0));
    StoredCheckpoint old = store.checkpoints().commit("orders", Checkpoint.of("next", 50), null, run("old", "orders", T0))
        .orElseThrow();
    store.checkpoints().reset("orders");
    StoredCheckpoint fresh = store.checkpoints().commit("orders", Checkpoint.of("next", 2), null, run("new", "orders", T0))
        .orElseThrow();
    assertThat(fresh.version()).as("versions start again after a reset").isEqualTo(old.version());

    assertThat(store.checkpoints().commit("orders", Checkpoint.of("next", 60), old, run("old", "orders", T0)))
        .as("same version, other run: not the position it loaded").isEmpty();
    assertThat(store.checkpoints().load("orders")).contains(Checkpoint.of("next", 2));
  }

  /**
   * Of eight concurrent commits from one position, exactly one wins.
   *
   * @throws Exception when a thread fails
   */
  @Test
  public void ofConcurrentCommitsFromOnePositionExactlyOneWins() throws Exception {
    int n = 8;
    for (int i = 0; i < n; i++) {
      store.runs().save(run("c" + i, "race", T0));
    }
    StoredCheckpoint start = store.checkpoints().commit("race", Checkpoint.of("next", 1), null, run("c0", "race", T0))
        .orElseThrow();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Future<Optional<StoredCheckpoint>>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        results.add(pool.submit(() -> {
          go.await();
          return store.checkpoints().commit("race", Checkpoint.of("next", 100 + k), start, run("c" + k, "race", T0));
        }));
      }
      go.countDown();
      List<StoredCheckpoint> won = new ArrayList<>();
      for (Future<Optional<StoredCheckpoint>> f : results) {
        f.get().ifPresent(won::add);
      }
      assertThat(won).hasSize(1);
      assertThat(store.checkpoints().position("race")).contains(won.get(0));
      assertThat(won.get(0).version()).isEqualTo(start.version() + 1);
    } finally {
      pool.shutdownNow();
    }
  }

  // --- runs --------------------------------------------------------------------------------

  /**
   * A run is saved, replaced by a later save of the same id, and found with every field; an
   * unknown id is not found.
   */
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

  /** Runs list newest first, per pipeline or all, at most the limit asked for. */
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

  /**
   * A run keeps its owner; {@code replace} succeeds only while status and owner still match, once,
   * and a run without owner matches only a null owner.
   */
  @Test
  public void aRunKeepsItsOwnerAndIsReplacedOnlyWhenStatusAndOwnerStillMatch() {
    store.runs().save(RunRecord.started("o1", "orders", "api", T0, "node-a"));
    assertThat(store.runs().find("o1").orElseThrow().owner()).isEqualTo("node-a");
    RunRecord ended = new RunRecord("o1", "orders", "api", RunStatus.INTERRUPTED, T0, T0.plusSeconds(90), 3, 2, 1,
        json("note", "ended"), "node-a stopped", "node-a");

    assertThat(store.runs().replace(ended, RunStatus.RUNNING, "node-b")).as("other owner").isFalse();
    assertThat(store.runs().replace(ended, RunStatus.QUEUED, "node-a")).as("other status").isFalse();
    assertThat(store.runs().find("o1").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);

    assertThat(store.runs().replace(ended, RunStatus.RUNNING, "node-a")).isTrue();
    RunRecord found = store.runs().find("o1").orElseThrow();
    assertThat(found.status()).isEqualTo(RunStatus.INTERRUPTED);
    assertThat(found.finishedAt()).isEqualTo(T0.plusSeconds(90));
    assertThat(found.error()).isEqualTo("node-a stopped");
    assertThat(found.details().path("note").asText()).isEqualTo("ended");
    assertThat(store.runs().replace(ended, RunStatus.RUNNING, "node-a")).as("only once").isFalse();

    store.runs().save(RunRecord.started("o2", "orders", "api", T0));
    RunRecord legacy = new RunRecord("o2", "orders", "api", RunStatus.INTERRUPTED, T0, T0.plusSeconds(90), 0, 0, 0,
        null, "stopped", null);
    assertThat(store.runs().replace(legacy, RunStatus.RUNNING, "node-a")).isFalse();
    assertThat(store.runs().replace(legacy, RunStatus.RUNNING, null)).as("no owner matches null").isTrue();
  }

  /**
   * Orphans are the running and queued runs whose owner has no heartbeat since the given time (or
   * no owner); removing silent nodes and heartbeats changes who counts as gone.
   */
  @Test
  public void orphansAreTheRunsOfNodesWithoutARecentHeartbeat() {
    Instant now = T0.plusSeconds(600);
    store.runs().heartbeat("alive", now.minusSeconds(5));
    store.runs().heartbeat("silent", now.minusSeconds(120));
    store.runs().save(RunRecord.started("alive-run", "p", "api", T0, "alive"));
    store.runs().save(RunRecord.started("silent-run", "p", "api", T0.plusSeconds(1), "silent"));
    store.runs().save(RunRecord.started("unknown-node-run", "p", "api", T0.plusSeconds(2), "never-seen"));
    store.runs().save(RunRecord.started("legacy-run", "p", "api", T0.plusSeconds(3)));
    store.runs().save(new RunRecord("silent-queued", "p", "api", RunStatus.QUEUED, T0.plusSeconds(4), null, 0, 0, 0,
        null, null, "silent"));
    store.runs().save(new RunRecord("cluster-queued", "p", "api", RunStatus.QUEUED, T0.plusSeconds(5), null, 0, 0, 0,
        null, null, null));
    store.runs().save(new RunRecord("silent-done", "p", "api", RunStatus.SUCCEEDED, T0, T0.plusSeconds(9), 1, 1, 0,
        null, null, "silent"));

    assertThat(store.runs().orphans(now.minusSeconds(60))).extracting(RunRecord::id)
        .containsExactly("silent-run", "unknown-node-run", "legacy-run", "silent-queued");

    store.runs().heartbeat("silent", now); // it was only slow
    assertThat(store.runs().orphans(now.minusSeconds(60))).extracting(RunRecord::id)
        .containsExactly("unknown-node-run", "legacy-run");

    assertThat(store.runs().removeNodesSilentSince(now.minusSeconds(1))).isEqualTo(1); // "alive" is 5 s old
    assertThat(store.runs().orphans(now.minusSeconds(60))).extracting(RunRecord::id)
        .containsExactly("alive-run", "unknown-node-run", "legacy-run");
    store.runs().removeNode("silent");
    assertThat(store.runs().orphans(now.minusSeconds(60))).extracting(RunRecord::id)
        .contains("silent-run", "silent-queued");
  }

  /** Dead letters get increasing ids and are found back with every field. */
  @Test
  public void deadLettersGetIncreasingIdsAndKeepEverything() {
    DeadLetter first = store.deadLetters().add(deadLetter("orders", "slack", "k1"));
    DeadLetter second = store.deadLetters().add(deadLetter("orders", "slack", "k2"));

    assertThat(second.id()).isGreaterThan(first.id());
    DeadLetter found = store.deadLetters().find(first.id()).orElseThrow();
    assertThat(found).isEqualTo(deadLetter("orders", "slack", "k1").withId(first.id()));
  }

  /**
   * Dead letters are filtered by pipeline and destination, paged by id, counted, deleted and
   * purged.
   */
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

  /**
   * Updating a dead letter that failed again keeps its id and first failure time and adds up the
   * attempts; updating one that was deleted answers empty.
   */
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

  /**
   * Two hundred dead letters added from eight threads get distinct ids.
   *
   * @throws Exception when a thread fails
   */
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

  /**
   * Every optional capability the store offers has its contract implemented by the test class,
   * and none is implemented for a capability it lacks.
   */
  @Test
  public void everyOfferedCapabilityIsHeldToItsContract() {
    assertThat(this instanceof UserStoreContract)
        .as("%s offers users(): implement UserStoreContract", store).isEqualTo(store.users().isPresent());
    assertThat(this instanceof SecretStoreContract)
        .as("%s offers secrets(): implement SecretStoreContract", store).isEqualTo(store.secrets().isPresent());
    assertThat(this instanceof PipelineStoreContract)
        .as("%s offers pipelines(): implement PipelineStoreContract", store).isEqualTo(store.pipelines().isPresent());
    assertThat(this instanceof ReplayCacheContract)
        .as("%s offers replayCache(): implement ReplayCacheContract", store).isEqualTo(store.replayCache().isPresent());
    assertThat(this instanceof AuthStateStoreContract)
        .as("%s offers authState(): implement AuthStateStoreContract", store).isEqualTo(store.authState().isPresent());
    assertThat(this instanceof RoleStoreContract)
        .as("%s offers roles(): implement RoleStoreContract", store).isEqualTo(store.roles().isPresent());
    assertThat(this instanceof AuditLogContract)
        .as("%s offers auditLog(): implement AuditLogContract", store).isEqualTo(store.auditLog().isPresent());
  }

  // --- sharing -----------------------------------------------------------------------------

  /**
   * Two instances on the same data see each other's runs, checkpoints and dead letters.
   *
   * @throws Exception when the second instance can't be opened
   */
  @Test
  public void twoInstancesOnTheSameDataSeeEachOthersWrites() throws Exception {
    Store second = openSecondInstance();
    try {
      String pipeline = "shared-" + UUID.randomUUID();
      store.runs().save(run("s1", pipeline, T0));
      second.checkpoints().commit(pipeline, Checkpoint.of("records", 5), null, run("s1", pipeline, T0));
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
