package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.ReplayCache.Reservation;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A full scope makes room from its oldest end; entries whose protection ends out of insertion
 * order are found by a whole-scope sweep at most once a second (the contract's rules hold; see
 * testkit's ReplayCacheContract for them on every store).
 */
class InMemoryReplayCacheTest {
  private static final Instant T = Instant.parse("2026-12-02T08:00:00Z");

  @Test
  void aFullScopeForgetsLapsedEntriesFromItsOldestEndWithoutASweep() {
    InMemoryReplayCache cache = new InMemoryReplayCache();
    Instant expires = T.plusSeconds(3600);
    for (int i = 0; i < 1000; i++) {
      assertThat(cache.reserve("s", "k" + i, T.plusMillis(i), expires, T.plusSeconds(60).plusMillis(i), 1000))
          .isEqualTo(Reservation.RESERVED);
    }
    // Protection of the first 10 lapsed: 10 new keys fit, the 11th does not.
    Instant now = T.plusSeconds(60).plusMillis(9); // k0..k9: protected until now or before
    for (int i = 0; i < 10; i++) {
      assertThat(cache.reserve("s", "n" + i, now, expires, now.plusSeconds(60), 1000)).isEqualTo(Reservation.RESERVED);
    }
    assertThat(cache.reserve("s", "n10", now, expires, now.plusSeconds(60), 1000)).isEqualTo(Reservation.FULL);
    assertThat(cache.reserve("s", "k10", now, expires, now.plusSeconds(60), 1000))
        .as("the oldest protected entry is still remembered").isEqualTo(Reservation.DUPLICATE);
  }

  @Test
  void entriesLapsingOutOfOrderAreFoundBySweepsAtMostOnceASecond() {
    InMemoryReplayCache cache = new InMemoryReplayCache();
    Instant expires = T.plusSeconds(3600);
    assertThat(cache.reserve("s", "long", T, expires, T.plusSeconds(100), 3)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("s", "short1", T, expires, T.plusSeconds(10), 3)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("s", "short2", T, expires, T.plusSeconds(10), 3)).isEqualTo(Reservation.RESERVED);
    Instant now = T.plusSeconds(20); // the short ones lapsed behind a protected head
    assertThat(cache.reserve("s", "a", now, expires, now.plusSeconds(100), 3)).as("a sweep makes room")
        .isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("s", "b", now, expires, now.plusSeconds(1), 3)).isEqualTo(Reservation.RESERVED);
    Instant soon = now.plusMillis(1500); // b lapsed, behind protected entries; the last sweep is 1.5 s old
    assertThat(cache.reserve("s", "c", soon, expires, soon.plusSeconds(100), 3)).isEqualTo(Reservation.RESERVED);
    // Full again with nothing lapsed: FULL, and the sweep that found nothing waits a second.
    Instant later = soon.plusMillis(100);
    assertThat(cache.reserve("s", "d", later, expires, later.plusSeconds(100), 3)).isEqualTo(Reservation.FULL);
    assertThat(cache.reserve("s", "long", later, expires, later.plusSeconds(100), 3)).isEqualTo(Reservation.DUPLICATE);
  }

  @Test
  void aSweepThatFoundNoRoomIsNotRepeatedWithinTheSecond() {
    InMemoryReplayCache cache = new InMemoryReplayCache();
    Instant expires = T.plusSeconds(3600);
    assertThat(cache.reserve("s", "head", T, expires, T.plusSeconds(100), 3)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("s", "mid", T, expires, T.plusMillis(500), 3)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("s", "tail", T, expires, T.plusSeconds(100), 3)).isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("s", "n1", T, expires, T.plusSeconds(100), 3)).as("swept, nothing lapsed")
        .isEqualTo(Reservation.FULL);
    assertThat(cache.reserve("s", "n2", T.plusMillis(600), expires, T.plusSeconds(100), 3))
        .as("mid lapsed behind a protected head, but the last sweep is under a second old")
        .isEqualTo(Reservation.FULL);
    assertThat(cache.reserve("s", "n3", T.plusSeconds(1), expires, T.plusSeconds(100), 3))
        .as("a second later the sweep runs again and finds mid").isEqualTo(Reservation.RESERVED);
    assertThat(cache.reserve("s", "head", T.plusSeconds(1), expires, T.plusSeconds(100), 3))
        .isEqualTo(Reservation.DUPLICATE);
  }
}
