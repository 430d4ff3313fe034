package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.ApiKey;
import dev.sluice.store.ConfigDocument;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.ReplayCache;
import dev.sluice.store.ReplayCache.Reservation;
import dev.sluice.store.RunRecord;
import dev.sluice.store.StaleVersionException;
import dev.sluice.store.Store;
import dev.sluice.store.UserAccount;
import java.nio.charset.StandardCharsets;
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
 * What every {@link Store} must do. Subclass it with a factory for a store on fresh, empty state.
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

  // --- users and API keys ------------------------------------------------------------------

  @Test
  public void usersAndTheirApiKeys() {
    store.users().save(new UserAccount("zoe", "$2a$hash-z", Set.of("viewer"), true, T0));
    store.users().save(new UserAccount("adam", "$2a$hash-a", Set.of("admin", "operator"), true, T0));
    store.users().save(new UserAccount("zoe", "$2a$hash-z2", Set.of("operator"), false, T0));
    ApiKey key = new ApiKey("k1", "ci", "zoe", "sha256:abc", Set.of("operator"), T0, null, false);
    store.users().saveApiKey(key);
    store.users().saveApiKey(new ApiKey("k2", "other", "adam", "sha256:def", Set.of("viewer"), T0.plusSeconds(1), T0.plusSeconds(3600), false));

    assertThat(store.users().list()).extracting(UserAccount::username).containsExactly("adam", "zoe");
    UserAccount zoe = store.users().find("zoe").orElseThrow();
    assertThat(zoe.passwordHash()).isEqualTo("$2a$hash-z2");
    assertThat(zoe.roles()).containsExactly("operator");
    assertThat(zoe.enabled()).isFalse();
    assertThat(store.users().findApiKeyByHash("sha256:abc")).contains(key);
    assertThat(store.users().listApiKeys(null)).extracting(ApiKey::id).containsExactly("k1", "k2");
    assertThat(store.users().listApiKeys("adam")).extracting(ApiKey::id).containsExactly("k2");

    store.users().saveApiKey(new ApiKey("k1", "ci", "zoe", "sha256:abc", Set.of("operator"), T0, null, true));
    assertThat(store.users().findApiKeyByHash("sha256:abc")).hasValueSatisfying(k -> assertThat(k.revoked()).isTrue());

    assertThat(store.users().delete("zoe")).isTrue();
    assertThat(store.users().find("zoe")).isEmpty();
    assertThat(store.users().findApiKeyByHash("sha256:abc")).as("a deleted user's keys go too").isEmpty();
    assertThat(store.users().delete("zoe")).isFalse();
  }

  // --- secrets -----------------------------------------------------------------------------

  @Test
  public void secretsKeepCiphertextBytes() {
    byte[] cipher = {0, 1, 2, (byte) 0xFF, 42};
    store.secrets().put("slack_url", cipher);
    store.secrets().put("hubspot_token", "x".getBytes(StandardCharsets.UTF_8));
    cipher[0] = 99; // the store took a copy

    assertThat(store.secrets().get("slack_url")).hasValueSatisfying(
        v -> assertThat(v).containsExactly(0, 1, 2, (byte) 0xFF, 42));
    assertThat(store.secrets().names()).containsExactly("hubspot_token", "slack_url");
    assertThat(store.secrets().delete("slack_url")).isTrue();
    assertThat(store.secrets().get("slack_url")).isEmpty();
    assertThat(store.secrets().delete("slack_url")).isFalse();
  }

  // --- stored configurations ---------------------------------------------------------------

  @Test
  public void configurationsAreVersionedAndLockedOptimistically() {
    ObjectNode v1 = F.objectNode().put("type", "slack");
    ConfigDocument created = store.pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v1, 0);
    assertThat(created.version()).isEqualTo(1);
    assertThatThrownBy(() -> store.pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v1, 0))
        .isInstanceOf(StaleVersionException.class)
        .hasMessageContaining("'sales'");

    ObjectNode v2 = F.objectNode().put("type", "slack").put("channel", "#sales");
    ConfigDocument updated = store.pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v2, 1);
    assertThat(updated.version()).isEqualTo(2);
    assertThatThrownBy(() -> store.pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v1, 1))
        .isInstanceOf(StaleVersionException.class);

    store.pipelines().put(ConfigDocument.Kind.DESTINATION, "alpha", v1, 0);
    store.pipelines().put(ConfigDocument.Kind.PIPELINE, "sales", F.objectNode(), 0);
    assertThat(store.pipelines().list(ConfigDocument.Kind.DESTINATION))
        .extracting(ConfigDocument::name).containsExactly("alpha", "sales");
    assertThat(store.pipelines().get(ConfigDocument.Kind.DESTINATION, "sales"))
        .hasValueSatisfying(d -> assertThat(d.spec()).isEqualTo(v2));
    assertThat(store.pipelines().delete(ConfigDocument.Kind.DESTINATION, "sales")).isTrue();
    assertThat(store.pipelines().get(ConfigDocument.Kind.DESTINATION, "sales")).isEmpty();
    assertThat(store.pipelines().get(ConfigDocument.Kind.PIPELINE, "sales")).isPresent();
  }

  // --- webhook replay cache ----------------------------------------------------------------

  private ReplayCache replays(Store s) {
    return s.replayCache().orElseThrow(() -> new AssertionError(
        s + " offers no replay cache: override replayCacheIsOffered() to return false if that is intended"));
  }

  /**
   * Whether the store offers {@link Store#replayCache()}; the replay-cache promises are checked
   * only then. Built-in stores do.
   */
  protected boolean replayCacheIsOffered() {
    return true;
  }

  @Test
  public void replayCacheRefusesAKeyUntilItExpires() {
    assumeTrue(replayCacheIsOffered(), "no replay cache");
    ReplayCache cache = replays(store);
    Instant expires = T0.plusSeconds(600);
    assertThat(cache.reserve("/hooks/a", "k1", T0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k1", T0.plusSeconds(599), expires, expires, 10)).isEqualTo(Reservation.DUPLICATE);
    assertThat(cache.reserve("/hooks/b", "k1", T0, expires, expires, 10)).as("scopes are separate").isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k1", expires, expires.plusSeconds(600), expires.plusSeconds(600), 10))
        .as("expired at its expiry").isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k1", expires.plusSeconds(1), expires.plusSeconds(600), expires.plusSeconds(600), 10))
        .as("remembered again").isEqualTo(Reservation.DUPLICATE);
  }

  @Test
  public void replayCacheForgetsAReleasedKey() {
    assumeTrue(replayCacheIsOffered(), "no replay cache");
    ReplayCache cache = replays(store);
    Instant expires = T0.plusSeconds(600);
    cache.reserve("/hooks/a", "k1", T0, expires, expires, 10);
    cache.release("/hooks/a", "k1");
    cache.release("/hooks/a", "never-reserved");
    assertThat(cache.reserve("/hooks/a", "k1", T0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
  }

  @Test
  public void aFullReplayCacheForgetsOnlyUnprotectedEntriesAndOtherwiseRefuses() {
    assumeTrue(replayCacheIsOffered(), "no replay cache");
    ReplayCache cache = replays(store);
    Instant expires = T0.plusSeconds(3600);
    Instant protectedUntil = T0.plusSeconds(600);
    assertThat(cache.reserve("/hooks/a", "k1", T0, expires, protectedUntil, 2)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k2", T0.plusSeconds(1), expires, protectedUntil.plusSeconds(1), 2))
        .isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k3", T0.plusSeconds(2), expires, expires, 2)).isEqualTo(Reservation.FULL);
    assertThat(cache.reserve("/hooks/a", "k1", T0.plusSeconds(3), expires, expires, 2))
        .as("a full cache forgot nothing protected").isEqualTo(Reservation.DUPLICATE);
    assertThat(cache.reserve("/hooks/other", "k3", T0.plusSeconds(2), expires, expires, 2))
        .as("capacity is per scope").isEqualTo(Reservation.RESERVED);

    Instant later = protectedUntil.plusSeconds(5); // both past their protection, not their expiry
    assertThat(cache.reserve("/hooks/a", "k3", later, expires, expires, 2)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k4", later, expires, expires, 2)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k5", later, expires, expires, 2))
        .as("k3 and k4 are protected until they expire").isEqualTo(Reservation.FULL);
    assertThat(cache.reserve("/hooks/a", "k3", later.plusSeconds(1), expires, expires, 2)).isEqualTo(Reservation.DUPLICATE);
    assertThat(cache.reserve("/hooks/a", "k5", expires, expires.plusSeconds(60), expires.plusSeconds(60), 2))
        .as("room again once they expired").isEqualTo(Reservation.RESERVED);
  }

  @Test
  public void concurrentReservationsOfOneKeyHaveExactlyOneWinner() throws Exception {
    assumeTrue(replayCacheIsOffered(), "no replay cache");
    Store second = openSecondInstance();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Instant expires = T0.plusSeconds(600);
      for (int round = 0; round < 20; round++) {
        String key = "race-" + round;
        List<Future<Reservation>> outcomes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          ReplayCache cache = replays(i % 2 == 0 ? store : second);
          outcomes.add(pool.submit(() -> cache.reserve("/hooks/race", key, T0, expires, expires, 1_000)));
        }
        List<Reservation> results = new ArrayList<>();
        for (Future<Reservation> f : outcomes) {
          results.add(f.get());
        }
        assertThat(results).as("round " + round).containsOnlyOnce(Reservation.RESERVED)
            .filteredOn(r -> r != Reservation.RESERVED).containsOnly(Reservation.DUPLICATE);
      }
    } finally {
      pool.shutdownNow();
      if (second != store) {
        second.close();
      }
    }
  }

  @Test
  public void twoInstancesOnTheSameDataRefuseEachOthersReplays() throws Exception {
    assumeTrue(replayCacheIsOffered(), "no replay cache");
    Store second = openSecondInstance();
    try {
      Instant expires = T0.plusSeconds(600);
      String scope = "/hooks/shared-" + UUID.randomUUID();
      assertThat(replays(store).reserve(scope, "k1", T0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
      assertThat(replays(second).reserve(scope, "k1", T0.plusSeconds(1), expires, expires, 10))
          .as("the other node's delivery").isEqualTo(Reservation.DUPLICATE);
      assertThat(replays(second).reserve(scope, "k2", T0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
      assertThat(replays(store).reserve(scope, "k2", T0.plusSeconds(1), expires, expires, 10)).isEqualTo(Reservation.DUPLICATE);
      replays(second).release(scope, "k1");
      assertThat(replays(store).reserve(scope, "k1", T0.plusSeconds(2), expires, expires, 10))
          .as("released by the other node").isEqualTo(Reservation.RESERVED);
    } finally {
      if (second != store) {
        second.close();
      }
    }
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
