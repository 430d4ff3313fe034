package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.ReplayCache;
import dev.sluice.store.ReplayCache.Reservation;
import dev.sluice.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What a {@link Store} that offers {@link Store#replayCache()} (the webhook replay cache shared by
 * every node on the store) must do. Implement it on the store's {@link StoreContract} subclass.
 */
public interface ReplayCacheContract {
  /** A fixed instant the tests count from. */
  Instant RT0 = Instant.parse("2026-03-29T01:30:00.123Z");

  /**
   * The store under test ({@link StoreContract#store()}).
   *
   * @return the store, open
   */
  Store store();

  /**
   * A second store instance on the same data ({@link StoreContract#secondInstance()}).
   *
   * @return an open store on the same data, or {@link #store()} itself for an in-memory store
   * @throws Exception when it can't be opened; the test fails
   */
  Store secondInstance() throws Exception;

  private ReplayCache replays(Store s) {
    return s.replayCache().orElseThrow(() -> new AssertionError(s + " offers no replayCache()"));
  }

  /**
   * A reserved key is a duplicate in its scope until it expires, and can be reserved again after.
   */
  @Test
  default void replayCacheRefusesAKeyUntilItExpires() {
    ReplayCache cache = replays(store());
    Instant expires = RT0.plusSeconds(600);
    assertThat(cache.reserve("/hooks/a", "k1", RT0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k1", RT0.plusSeconds(599), expires, expires, 10)).isEqualTo(Reservation.DUPLICATE);
    assertThat(cache.reserve("/hooks/b", "k1", RT0, expires, expires, 10)).as("scopes are separate").isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k1", expires, expires.plusSeconds(600), expires.plusSeconds(600), 10))
        .as("expired at its expiry").isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k1", expires.plusSeconds(1), expires.plusSeconds(600), expires.plusSeconds(600), 10))
        .as("remembered again").isEqualTo(Reservation.DUPLICATE);
  }

  /** A released key can be reserved again at once; releasing an unknown key is harmless. */
  @Test
  default void replayCacheForgetsAReleasedKey() {
    ReplayCache cache = replays(store());
    Instant expires = RT0.plusSeconds(600);
    cache.reserve("/hooks/a", "k1", RT0, expires, expires, 10);
    cache.release("/hooks/a", "k1");
    cache.release("/hooks/a", "never-reserved");
    assertThat(cache.reserve("/hooks/a", "k1", RT0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
  }

  /**
   * A scope at capacity refuses new keys ({@code FULL}) while its entries are protected, forgets
   * entries past their protection to make room, and never forgets a protected one.
   */
  @Test
  default void aFullReplayCacheForgetsOnlyUnprotectedEntriesAndOtherwiseRefuses() {
    ReplayCache cache = replays(store());
    Instant expires = RT0.plusSeconds(3600);
    Instant protectedUntil = RT0.plusSeconds(600);
    assertThat(cache.reserve("/hooks/a", "k1", RT0, expires, protectedUntil, 2)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k2", RT0.plusSeconds(1), expires, protectedUntil.plusSeconds(1), 2))
        .isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("/hooks/a", "k3", RT0.plusSeconds(2), expires, expires, 2)).isEqualTo(Reservation.FULL);
    assertThat(cache.reserve("/hooks/a", "k1", RT0.plusSeconds(3), expires, expires, 2))
        .as("a full cache forgot nothing protected").isEqualTo(Reservation.DUPLICATE);
    assertThat(cache.reserve("/hooks/other", "k3", RT0.plusSeconds(2), expires, expires, 2))
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

  /**
   * Eight threads on two store instances reserving one key: exactly one reserves it.
   *
   * @throws Exception when the second instance can't be opened or a thread fails
   */
  @Test
  default void concurrentReservationsOfOneKeyHaveExactlyOneWinner() throws Exception {
    Store second = secondInstance();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Instant expires = RT0.plusSeconds(600);
      for (int round = 0; round < 20; round++) {
        String key = "race-" + round;
        List<Future<Reservation>> outcomes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          ReplayCache cache = replays(i % 2 == 0 ? store() : second);
          outcomes.add(pool.submit(() -> cache.reserve("/hooks/race", key, RT0, expires, expires, 1_000)));
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
      if (second != store()) {
        second.close();
      }
    }
  }

  /**
   * Two store instances on the same data see each other's reservations and releases.
   *
   * @throws Exception when the second instance can't be opened
   */
  @Test
  default void twoInstancesOnTheSameDataRefuseEachOthersReplays() throws Exception {
    Store second = secondInstance();
    try {
      Instant expires = RT0.plusSeconds(600);
      String scope = "/hooks/shared-" + UUID.randomUUID();
      assertThat(replays(store()).reserve(scope, "k1", RT0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
      assertThat(replays(second).reserve(scope, "k1", RT0.plusSeconds(1), expires, expires, 10))
          .as("the other node's delivery").isEqualTo(Reservation.DUPLICATE);
      assertThat(replays(second).reserve(scope, "k2", RT0, expires, expires, 10)).isEqualTo(Reservation.RESERVED);
      assertThat(replays(store()).reserve(scope, "k2", RT0.plusSeconds(1), expires, expires, 10)).isEqualTo(Reservation.DUPLICATE);
      replays(second).release(scope, "k1");
      assertThat(replays(store()).reserve(scope, "k1", RT0.plusSeconds(2), expires, expires, 10))
          .as("released by the other node").isEqualTo(Reservation.RESERVED);
    } finally {
      if (second != store()) {
        second.close();
      }
    }
  }
}
