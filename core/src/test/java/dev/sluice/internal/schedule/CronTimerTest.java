package dev.sluice.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.ManualTicker;
import dev.sluice.schedule.MisfirePolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Cron firing driven by a hand-moved clock: nothing here waits on real time. */
class CronTimerTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<CronTimer.Firing> firings = new ArrayList<>();
  private final List<Instant> firedAt = new ArrayList<>();

  private CronTimer timer(ManualTicker ticker, CronTrigger trigger, Random random) {
    return new CronTimer("orders", trigger, ticker, random, f -> {
      firings.add(f);
      firedAt.add(ticker.now());
    }, registry);
  }

  private List<Instant> scheduledFor() {
    return firings.stream().map(CronTimer.Firing::scheduledFor).toList();
  }

  @Test
  void firesAtEachRegularTimeAsTheClockAdvances() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:07:00Z"));
    timer(ticker, CronTrigger.of("*/15 * * * *"), new Random(1)).start(null);
    assertThat(ticker.nextDue()).isEqualTo(Instant.parse("2025-01-01T10:15:00Z"));

    ticker.advanceTo(Instant.parse("2025-01-01T11:00:00Z"));

    assertThat(firedAt).containsExactly(Instant.parse("2025-01-01T10:15:00Z"),
        Instant.parse("2025-01-01T10:30:00Z"), Instant.parse("2025-01-01T10:45:00Z"),
        Instant.parse("2025-01-01T11:00:00Z"));
    assertThat(firings).allSatisfy(f -> assertThat(f.missed()).isEqualTo(1));
    assertThat(ticker.nextDue()).isEqualTo(Instant.parse("2025-01-01T11:15:00Z"));
    assertThat(registry.get("sluice.cron.lateness").timer().count()).isEqualTo(4);
  }

  @Test
  void throughTheBerlinSpringNightADailyJobRunsOnceAtThreeOClock() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-03-29T12:00:00Z"));
    timer(ticker, CronTrigger.of("30 2 * * *", BERLIN), new Random(1)).start(null);
    ticker.advanceTo(Instant.parse("2025-03-31T12:00:00Z"));
    assertThat(firedAt).containsExactly(
        Instant.parse("2025-03-30T01:00:00Z"), // 03:00 CEST: 02:30 did not exist
        Instant.parse("2025-03-31T00:30:00Z"));
  }

  @Test
  void throughTheBerlinAutumnNightAnHourlyJobFiresEveryRealHourAndADailyJobOnce() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-10-25T22:30:00Z")); // 00:30 CEST
    timer(ticker, CronTrigger.of("0 * * * *", BERLIN), new Random(1)).start(null);
    timer(ticker, CronTrigger.of("30 2 * * *", BERLIN), new Random(1)).start(null);
    ticker.advanceTo(Instant.parse("2025-10-26T03:30:00Z")); // 04:30 CET
    assertThat(firedAt).containsExactly(
        Instant.parse("2025-10-25T23:00:00Z"), // 01:00 CEST
        Instant.parse("2025-10-26T00:00:00Z"), // 02:00 CEST
        Instant.parse("2025-10-26T00:30:00Z"), // 02:30 CEST, the daily job: not again at 02:30 CET
        Instant.parse("2025-10-26T01:00:00Z"), // 02:00 CET: the hour after 02:00 CEST
        Instant.parse("2025-10-26T02:00:00Z"), // 03:00 CET
        Instant.parse("2025-10-26T03:00:00Z"));
    assertThat(firings).allSatisfy(f -> assertThat(f.missed()).isEqualTo(1));
  }

  @Test
  void aLittleLateIsStillOnTime() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));
    timer(ticker, CronTrigger.of("*/15 * * * *"), new Random(1)).start(null);
    ticker.jumpTo(Instant.parse("2025-01-01T10:15:40Z")); // 40 s late, threshold 60 s
    ticker.runDue();
    assertThat(firings).singleElement().satisfies(f -> {
      assertThat(f.scheduledFor()).isEqualTo(Instant.parse("2025-01-01T10:15:00Z"));
      assertThat(f.missed()).isEqualTo(1);
    });
    assertThat(registry.find("sluice.cron.misfires").counter()).isNull();
    assertThat(registry.get("sluice.cron.lateness").timer().max(TimeUnit.SECONDS)).isEqualTo(40.0);
  }

  @Test
  void afterDowntimeFireOnceNowCoalescesTheMissedTimes() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));
    timer(ticker, CronTrigger.of("*/15 * * * *"), new Random(1)).start(null);
    ticker.jumpTo(Instant.parse("2025-01-01T12:05:00Z")); // suspended for two hours
    ticker.runDue();

    assertThat(firings).singleElement().satisfies(f -> {
      assertThat(f.scheduledFor()).isEqualTo(Instant.parse("2025-01-01T10:15:00Z"));
      assertThat(f.missed()).isEqualTo(8); // 10:15 .. 12:00
    });
    assertThat(firedAt).containsExactly(Instant.parse("2025-01-01T12:05:00Z"));
    assertThat(ticker.nextDue()).isEqualTo(Instant.parse("2025-01-01T12:15:00Z"));
    assertThat(registry.get("sluice.cron.misfires").tag("policy", "fire-once-now").counter().count()).isEqualTo(1);

    ticker.advanceTo(Instant.parse("2025-01-01T12:15:00Z"));
    assertThat(firedAt).endsWith(Instant.parse("2025-01-01T12:15:00Z"));
  }

  @Test
  void afterDowntimeSkipFiresNothingAndContinues() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));
    CronTrigger trigger = CronTrigger.builder("*/15 * * * *").misfire(MisfirePolicy.SKIP)
        .misfireThreshold(Duration.ofMinutes(5)).build();
    timer(ticker, trigger, new Random(1)).start(null);
    ticker.jumpTo(Instant.parse("2025-01-01T10:21:00Z")); // 6 min late > 5 min threshold
    ticker.runDue();
    assertThat(firings).isEmpty();
    assertThat(registry.get("sluice.cron.misfires").tag("policy", "skip").counter().count()).isEqualTo(1);
    ticker.advanceTo(Instant.parse("2025-01-01T10:45:00Z"));
    assertThat(firedAt).containsExactly(Instant.parse("2025-01-01T10:30:00Z"), Instant.parse("2025-01-01T10:45:00Z"));
  }

  @Test
  void aRestartCountsTimesMissedSinceTheLastRunInTheHistory() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-02T09:00:00Z"));
    // Last run yesterday at 02:00; the process was down when today's 02:00 came.
    timer(ticker, CronTrigger.of("0 2 * * *"), new Random(1)).start(Instant.parse("2025-01-01T02:00:00Z"));
    ticker.runDue();
    assertThat(firings).singleElement().satisfies(f -> {
      assertThat(f.scheduledFor()).isEqualTo(Instant.parse("2025-01-02T02:00:00Z"));
      assertThat(f.missed()).isEqualTo(1);
    });
    assertThat(firedAt).containsExactly(Instant.parse("2025-01-02T09:00:00Z"));
    assertThat(ticker.nextDue()).isEqualTo(Instant.parse("2025-01-03T02:00:00Z"));
  }

  @Test
  void aRestartAfterTheLastRunWithNothingMissedWaitsForTheNextTime() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-02T09:00:00Z"));
    timer(ticker, CronTrigger.of("0 2 * * *"), new Random(1)).start(Instant.parse("2025-01-02T02:00:03Z"));
    ticker.runDue();
    assertThat(firings).isEmpty();
    assertThat(ticker.nextDue()).isEqualTo(Instant.parse("2025-01-03T02:00:00Z"));
  }

  @Test
  void jitterDelaysEachFiringByASeededRandomAmountWithoutMovingTheSchedule() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));
    CronTrigger trigger = CronTrigger.builder("*/15 * * * *").jitter(Duration.ofSeconds(30)).build();
    timer(ticker, trigger, new Random(42)).start(null);
    ticker.advanceTo(Instant.parse("2025-01-01T11:01:00Z"));

    Random expected = new Random(42);
    List<Instant> want = new ArrayList<>();
    for (Instant regular : List.of(Instant.parse("2025-01-01T10:15:00Z"), Instant.parse("2025-01-01T10:30:00Z"),
        Instant.parse("2025-01-01T10:45:00Z"), Instant.parse("2025-01-01T11:00:00Z"))) {
      want.add(regular.plusMillis(expected.nextLong(30_000)));
    }
    assertThat(firedAt).containsExactlyElementsOf(want);
    assertThat(scheduledFor()).containsExactly(Instant.parse("2025-01-01T10:15:00Z"),
        Instant.parse("2025-01-01T10:30:00Z"), Instant.parse("2025-01-01T10:45:00Z"),
        Instant.parse("2025-01-01T11:00:00Z"));
    for (int i = 0; i < firedAt.size(); i++) {
      assertThat(Duration.between(scheduledFor().get(i), firedAt.get(i)))
          .isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofSeconds(30));
    }
    assertThat(firedAt).doesNotHaveDuplicates().isNotEqualTo(scheduledFor());
  }

  @Test
  void closeStopsFiring() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));
    CronTimer t = timer(ticker, CronTrigger.of("* * * * *"), new Random(1));
    t.start(null);
    ticker.advanceTo(Instant.parse("2025-01-01T10:02:00Z"));
    t.close();
    ticker.advanceTo(Instant.parse("2025-01-01T11:00:00Z"));
    assertThat(firings).hasSize(2);
    assertThat(ticker.pending()).isZero();
  }

  @Test
  void aFailingTargetDoesNotStopTheSchedule() {
    ManualTicker ticker = new ManualTicker(Instant.parse("2025-01-01T10:00:00Z"));
    List<Instant> attempts = new ArrayList<>();
    new CronTimer("orders", CronTrigger.of("* * * * *"), ticker, new Random(1), f -> {
      attempts.add(ticker.now());
      throw new IllegalStateException("store is down");
    }, registry).start(null);
    ticker.advanceTo(Instant.parse("2025-01-01T10:03:00Z"));
    assertThat(attempts).hasSize(3);
  }
}
