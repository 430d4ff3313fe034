package dev.sluice.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final ZoneId LORD_HOWE = ZoneId.of("Australia/Lord_Howe");
  private static final ZoneId SANTIAGO = ZoneId.of("America/Santiago");

  /** Every firing instant in [from, to). */
  private static List<Instant> fires(CronSchedule s, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    Instant cursor = from.minusNanos(1);
    while (true) {
      Optional<Instant> next = s.nextAfter(cursor);
      if (next.isEmpty() || !next.get().isBefore(to)) {
        return out;
      }
      out.add(next.get());
      cursor = next.get();
    }
  }

  /** A wall-clock time at an explicit offset: the tests spell out which pass of a repeated hour. */
  private static Instant at(String local, String offset) {
    return LocalDateTime.parse(local).toInstant(ZoneOffset.of(offset));
  }

  /** The zone's first transition after {@code from}, asserted to be a gap or an overlap. */
  private static ZoneOffsetTransition transitionAfter(ZoneId zone, String from, boolean gap) {
    ZoneOffsetTransition t = zone.getRules().nextTransition(Instant.parse(from));
    assertThat(t.isGap()).as("transition %s of %s is a gap", t, zone).isEqualTo(gap);
    return t;
  }

  // --- syntaxes and macros --------------------------------------------------------------------

  @Test
  void unixIsTheDefaultAndUtcTheDefaultZone() {
    CronSchedule s = CronSchedule.of("*/15 * * * *");
    assertThat(s.syntax()).isEqualTo(CronSyntax.UNIX);
    assertThat(s.zone()).isEqualTo(ZoneOffset.UTC);
    assertThat(s.next(Instant.parse("2025-01-01T10:00:00Z"), 3)).containsExactly(
        Instant.parse("2025-01-01T10:15:00Z"), Instant.parse("2025-01-01T10:30:00Z"),
        Instant.parse("2025-01-01T10:45:00Z"));
  }

  @Test
  void quartzAndSpringHaveSeconds() {
    CronSchedule quartz = CronSchedule.of("30 0/20 * ? * MON-FRI", CronSyntax.QUARTZ, ZoneOffset.UTC, DstPolicy.SHIFT);
    // 2025-01-03 is a Friday, so after its last firing comes Monday.
    assertThat(quartz.next(Instant.parse("2025-01-03T23:30:00Z"), 2)).containsExactly(
        Instant.parse("2025-01-03T23:40:30Z"), Instant.parse("2025-01-06T00:00:30Z"));
    CronSchedule spring = CronSchedule.of("*/10 * * * * *", CronSyntax.SPRING, ZoneOffset.UTC, DstPolicy.SHIFT);
    assertThat(spring.next(Instant.parse("2025-01-01T00:00:05Z"), 2)).containsExactly(
        Instant.parse("2025-01-01T00:00:10Z"), Instant.parse("2025-01-01T00:00:20Z"));
    CronSchedule quartzYear = CronSchedule.of("0 0 12 1 1 ? 2030", CronSyntax.QUARTZ, ZoneOffset.UTC, DstPolicy.SHIFT);
    assertThat(quartzYear.next(Instant.parse("2025-01-01T00:00:00Z"), 2))
        .containsExactly(Instant.parse("2030-01-01T12:00:00Z"));
  }

  @Test
  void macrosMeanTheSameTimesInEverySyntax() {
    Instant from = Instant.parse("2025-01-01T10:20:00Z"); // a Wednesday
    for (CronSyntax syntax : CronSyntax.values()) {
      assertThat(CronSchedule.of("@hourly", syntax, BERLIN, DstPolicy.SHIFT).nextAfter(from))
          .contains(Instant.parse("2025-01-01T11:00:00Z"));
      assertThat(CronSchedule.of("@daily", syntax, BERLIN, DstPolicy.SHIFT).nextAfter(from))
          .contains(at("2025-01-02T00:00", "+01:00"));
      assertThat(CronSchedule.of("@midnight", syntax, ZoneOffset.UTC, DstPolicy.SHIFT).nextAfter(from))
          .contains(Instant.parse("2025-01-02T00:00:00Z"));
      assertThat(CronSchedule.of("@weekly", syntax, ZoneOffset.UTC, DstPolicy.SHIFT).nextAfter(from))
          .as("%s @weekly is Sunday midnight", syntax).contains(Instant.parse("2025-01-05T00:00:00Z"));
      assertThat(CronSchedule.of("@monthly", syntax, ZoneOffset.UTC, DstPolicy.SHIFT).nextAfter(from))
          .contains(Instant.parse("2025-02-01T00:00:00Z"));
      assertThat(CronSchedule.of("@YEARLY", syntax, ZoneOffset.UTC, DstPolicy.SHIFT).nextAfter(from))
          .contains(Instant.parse("2026-01-01T00:00:00Z"));
      assertThat(CronSchedule.of("@annually", syntax, ZoneOffset.UTC, DstPolicy.SHIFT).nextAfter(from))
          .contains(Instant.parse("2026-01-01T00:00:00Z"));
    }
  }

  @Test
  void badExpressionsNameTheExpressionAndTheSyntax() {
    assertThatThrownBy(() -> CronSchedule.of("61 * * * *"))
        .isInstanceOf(InvalidCronException.class)
        .hasMessageContaining("'61 * * * *'").hasMessageContaining("unix syntax")
        .hasMessageContaining("minute hour day-of-month month day-of-week");
    assertThatThrownBy(() -> CronSchedule.of("0 * * * *", CronSyntax.QUARTZ, BERLIN, DstPolicy.SHIFT))
        .isInstanceOf(InvalidCronException.class)
        .hasMessageContaining("quartz syntax, zone Europe/Berlin").hasMessageContaining("6-7 fields");
    assertThatThrownBy(() -> CronSchedule.of("@reboot"))
        .isInstanceOf(InvalidCronException.class).hasMessageContaining("'@reboot' is not supported");
    assertThatThrownBy(() -> CronSchedule.of("  ")).isInstanceOf(InvalidCronException.class)
        .hasMessageContaining("must not be blank");
  }

  @Test
  void anExpressionThatNeverMatchesHasNoNextTime() {
    assertThat(CronSchedule.of("0 0 30 2 *").nextAfter(Instant.parse("2025-01-01T00:00:00Z"))).isEmpty();
  }

  @Test
  void equalityIsByWrittenFormSyntaxZoneAndPolicy() {
    assertThat(CronSchedule.of(" 0 * * * * ", BERLIN)).isEqualTo(CronSchedule.of("0 * * * *", BERLIN))
        .hasSameHashCodeAs(CronSchedule.of("0 * * * *", BERLIN));
    assertThat(CronSchedule.of("0 * * * *", BERLIN)).isNotEqualTo(CronSchedule.of("0 * * * *", NEW_YORK));
    assertThat(CronSchedule.of("0 * * * *", CronSyntax.UNIX, BERLIN, DstPolicy.SKIP))
        .isNotEqualTo(CronSchedule.of("0 * * * *", BERLIN));
    assertThat(CronSchedule.of("0 * * * *", BERLIN).describe()).isEqualTo("0 * * * * Europe/Berlin");
  }

  @Test
  void wallClockTimesFollowTheZoneAcrossSummerAndWinter() {
    CronSchedule nine = CronSchedule.of("0 9 * * *", BERLIN);
    assertThat(nine.nextAfter(Instant.parse("2025-01-15T00:00:00Z"))).contains(Instant.parse("2025-01-15T08:00:00Z"));
    assertThat(nine.nextAfter(Instant.parse("2025-07-15T00:00:00Z"))).contains(Instant.parse("2025-07-15T07:00:00Z"));
  }

  // --- Europe/Berlin ------------------------------------------------------------------------------

  @Test
  void berlinSpringForwardShiftsASkippedTimeToTheEndOfTheGapOnce() {
    ZoneOffsetTransition gap = transitionAfter(BERLIN, "2025-03-01T00:00:00Z", true);
    assertThat(gap.getDateTimeBefore()).isEqualTo(LocalDateTime.parse("2025-03-30T02:00"));
    assertThat(gap.getDuration()).isEqualTo(Duration.ofHours(1));

    CronSchedule daily = CronSchedule.of("30 2 * * *", BERLIN);
    assertThat(fires(daily, Instant.parse("2025-03-29T00:00:00Z"), Instant.parse("2025-04-01T00:00:00Z")))
        .containsExactly(
            at("2025-03-29T02:30", "+01:00"),
            gap.getInstant(), // 02:30 does not exist: 03:00 CEST
            at("2025-03-31T02:30", "+02:00"));

    // Every quarter hour: 02:00..02:45 do not exist and 03:00 is the end of the gap: one firing.
    CronSchedule quarter = CronSchedule.of("*/15 * * * *", BERLIN);
    assertThat(fires(quarter, at("2025-03-30T01:30", "+01:00"), at("2025-03-30T03:31", "+02:00")))
        .containsExactly(
            at("2025-03-30T01:30", "+01:00"),
            at("2025-03-30T01:45", "+01:00"),
            gap.getInstant(),
            at("2025-03-30T03:15", "+02:00"),
            at("2025-03-30T03:30", "+02:00"));
  }

  @Test
  void berlinSpringForwardWithSkipPolicyDropsTheSkippedTime() {
    CronSchedule daily = CronSchedule.of("30 2 * * *", CronSyntax.UNIX, BERLIN, DstPolicy.SKIP);
    assertThat(fires(daily, Instant.parse("2025-03-29T00:00:00Z"), Instant.parse("2025-04-01T00:00:00Z")))
        .containsExactly(at("2025-03-29T02:30", "+01:00"), at("2025-03-31T02:30", "+02:00"));
    // 03:00 itself exists, so with skip the quarter-hourly job still fires at 03:00 once.
    CronSchedule quarter = CronSchedule.of("*/15 * * * *", CronSyntax.UNIX, BERLIN, DstPolicy.SKIP);
    assertThat(fires(quarter, at("2025-03-30T01:45", "+01:00"), at("2025-03-30T03:16", "+02:00")))
        .containsExactly(at("2025-03-30T01:45", "+01:00"), at("2025-03-30T03:00", "+02:00"),
            at("2025-03-30T03:15", "+02:00"));
  }

  @Test
  void berlinFallBackFiresAFixedTimeOnceAtItsFirstOccurrence() {
    ZoneOffsetTransition overlap = transitionAfter(BERLIN, "2025-10-01T00:00:00Z", false);
    assertThat(overlap.getDateTimeAfter()).isEqualTo(LocalDateTime.parse("2025-10-26T02:00"));

    CronSchedule daily = CronSchedule.of("30 2 * * *", BERLIN);
    assertThat(daily.isInterval()).isFalse();
    assertThat(fires(daily, Instant.parse("2025-10-25T00:00:00Z"), Instant.parse("2025-10-28T00:00:00Z")))
        .containsExactly(
            at("2025-10-25T02:30", "+02:00"),
            at("2025-10-26T02:30", "+02:00"), // first pass only; not again at 02:30 CET
            at("2025-10-27T02:30", "+01:00"));
    // A list of specific times is still fixed-time: each fires once.
    CronSchedule listed = CronSchedule.of("0,30 2 * * *", BERLIN);
    assertThat(fires(listed, at("2025-10-26T01:00", "+02:00"), at("2025-10-26T04:00", "+01:00")))
        .containsExactly(at("2025-10-26T02:00", "+02:00"), at("2025-10-26T02:30", "+02:00"));
  }

  @Test
  void berlinFallBackFiresAnHourlyJobEveryRealHour() {
    CronSchedule hourly = CronSchedule.of("@hourly", BERLIN);
    assertThat(hourly.isInterval()).isTrue();
    assertThat(fires(hourly, at("2025-10-26T01:00", "+02:00"), at("2025-10-26T04:00", "+01:00")))
        .containsExactly(
            at("2025-10-26T01:00", "+02:00"),
            at("2025-10-26T02:00", "+02:00"),
            at("2025-10-26T02:00", "+01:00"), // the repeated hour: one real hour after 02:00 CEST
            at("2025-10-26T03:00", "+01:00"))
        .containsExactly(
            Instant.parse("2025-10-25T23:00:00Z"), Instant.parse("2025-10-26T00:00:00Z"),
            Instant.parse("2025-10-26T01:00:00Z"), Instant.parse("2025-10-26T02:00:00Z"));
  }

  @Test
  void berlinFallBackFiresAQuarterHourlyJobEveryRealQuarterHour() {
    CronSchedule quarter = CronSchedule.of("*/15 * * * *", BERLIN);
    List<Instant> all = fires(quarter, at("2025-10-26T01:45", "+02:00"), at("2025-10-26T03:16", "+01:00"));
    assertThat(all).containsExactly(
        at("2025-10-26T01:45", "+02:00"),
        at("2025-10-26T02:00", "+02:00"), at("2025-10-26T02:15", "+02:00"),
        at("2025-10-26T02:30", "+02:00"), at("2025-10-26T02:45", "+02:00"),
        at("2025-10-26T02:00", "+01:00"), at("2025-10-26T02:15", "+01:00"),
        at("2025-10-26T02:30", "+01:00"), at("2025-10-26T02:45", "+01:00"),
        at("2025-10-26T03:00", "+01:00"), at("2025-10-26T03:15", "+01:00"));
    for (int i = 1; i < all.size(); i++) {
      assertThat(Duration.between(all.get(i - 1), all.get(i))).as("#%d", i).isEqualTo(Duration.ofMinutes(15));
    }
  }

  @Test
  void rangesAndStepsInTheHourFireInBothPasses() {
    CronSchedule range = CronSchedule.of("0 1-3 * * *", BERLIN);
    assertThat(fires(range, Instant.parse("2025-10-25T12:00:00Z"), Instant.parse("2025-10-26T12:00:00Z")))
        .containsExactly(at("2025-10-26T01:00", "+02:00"), at("2025-10-26T02:00", "+02:00"),
            at("2025-10-26T02:00", "+01:00"), at("2025-10-26T03:00", "+01:00"));
    CronSchedule everyOtherHour = CronSchedule.of("0 */2 * * *", BERLIN);
    assertThat(fires(everyOtherHour, at("2025-10-26T00:00", "+02:00"), at("2025-10-26T05:00", "+01:00")))
        .containsExactly(at("2025-10-26T00:00", "+02:00"), at("2025-10-26T02:00", "+02:00"),
            at("2025-10-26T02:00", "+01:00"), at("2025-10-26T04:00", "+01:00"));
    // A minute step inside a fixed hour is an interval too: every quarter of both 2 o'clock hours.
    CronSchedule quartersOfTwo = CronSchedule.of("0-59/15 2 * * *", BERLIN);
    assertThat(fires(quartersOfTwo, Instant.parse("2025-10-25T12:00:00Z"), Instant.parse("2025-10-26T12:00:00Z")))
        .hasSize(8).doesNotHaveDuplicates();
  }

  @Test
  void whichExpressionsAreIntervals() {
    for (String fixed : List.of("30 2 * * *", "0,30 9,17 * * *", "@daily", "@weekly", "0 0 1 1 *", "15 2 * * 1-5")) {
      assertThat(CronSchedule.of(fixed, BERLIN).isInterval()).as(fixed).isFalse();
    }
    for (String interval : List.of("* * * * *", "0 * * * *", "@hourly", "*/15 * * * *", "0-59/15 * * * *",
        "5/15 2 * * *", "0 1-3 * * *", "0 */2 * * *", "* 2 * * *", "0,30 * * * *", "0 0-2,4 * * *")) {
      assertThat(CronSchedule.of(interval, BERLIN).isInterval()).as(interval).isTrue();
    }
    assertThat(CronSchedule.of("0 30 2 * * ?", CronSyntax.QUARTZ, BERLIN, DstPolicy.SHIFT).isInterval()).isFalse();
    assertThat(CronSchedule.of("*/10 30 2 * * *", CronSyntax.SPRING, BERLIN, DstPolicy.SHIFT).isInterval()).isTrue();
    assertThat(CronSchedule.of("0 0 * * * ?", CronSyntax.QUARTZ, BERLIN, DstPolicy.SHIFT).isInterval()).isTrue();
  }

  @Test
  void askingFromInsideTheSecondPassOfARepeatedHour() {
    CronSchedule quarter = CronSchedule.of("*/15 * * * *", BERLIN);
    // 02:20 CET is the second 02:20 of the night: an interval job goes on with the second pass.
    assertThat(quarter.nextAfter(at("2025-10-26T02:20", "+01:00"))).contains(at("2025-10-26T02:30", "+01:00"));
    // From inside the first pass, the rest of the first pass fires, then the second pass.
    assertThat(quarter.nextAfter(at("2025-10-26T02:20", "+02:00"))).contains(at("2025-10-26T02:30", "+02:00"));
    assertThat(quarter.nextAfter(at("2025-10-26T02:50", "+02:00"))).contains(at("2025-10-26T02:00", "+01:00"));
    // Exactly at the transition (02:00 CET) an interval job's 02:00 CET is not "after": 02:15 CET.
    assertThat(quarter.nextAfter(at("2025-10-26T02:00", "+01:00"))).contains(at("2025-10-26T02:15", "+01:00"));
    assertThat(quarter.nextAfter(at("2025-10-26T02:00", "+01:00").minusNanos(1)))
        .contains(at("2025-10-26T02:00", "+01:00"));

    // A fixed-time job already fired in the first pass: nothing more that night.
    CronSchedule daily = CronSchedule.of("30 2 * * *", BERLIN);
    assertThat(daily.nextAfter(at("2025-10-26T02:20", "+01:00"))).contains(at("2025-10-27T02:30", "+01:00"));
    assertThat(daily.nextAfter(at("2025-10-26T02:50", "+02:00"))).contains(at("2025-10-27T02:30", "+01:00"));
    assertThat(daily.nextAfter(at("2025-10-26T02:20", "+02:00"))).contains(at("2025-10-26T02:30", "+02:00"));
  }

  // --- America/New_York ---------------------------------------------------------------------------

  @Test
  void newYorkSpringForwardAndFallBack() {
    ZoneOffsetTransition gap = transitionAfter(NEW_YORK, "2025-03-01T00:00:00Z", true);
    assertThat(gap.getDateTimeBefore()).isEqualTo(LocalDateTime.parse("2025-03-09T02:00"));
    CronSchedule twoThirty = CronSchedule.of("30 2 * * *", NEW_YORK);
    assertThat(fires(twoThirty, Instant.parse("2025-03-08T12:00:00Z"), Instant.parse("2025-03-10T12:00:00Z")))
        .containsExactly(gap.getInstant(), at("2025-03-10T02:30", "-04:00"));
    assertThat(gap.getInstant()).isEqualTo(at("2025-03-09T03:00", "-04:00"));

    ZoneOffsetTransition overlap = transitionAfter(NEW_YORK, "2025-10-01T00:00:00Z", false);
    assertThat(overlap.getDateTimeAfter()).isEqualTo(LocalDateTime.parse("2025-11-02T01:00"));
    CronSchedule oneThirty = CronSchedule.of("30 1 * * *", NEW_YORK);
    assertThat(fires(oneThirty, Instant.parse("2025-11-01T12:00:00Z"), Instant.parse("2025-11-03T12:00:00Z")))
        .containsExactly(at("2025-11-02T01:30", "-04:00"), at("2025-11-03T01:30", "-05:00"));
    CronSchedule halfHourly = CronSchedule.of("*/30 * * * *", NEW_YORK);
    assertThat(fires(halfHourly, at("2025-11-02T01:00", "-04:00"), at("2025-11-02T02:01", "-05:00")))
        .containsExactly(at("2025-11-02T01:00", "-04:00"), at("2025-11-02T01:30", "-04:00"),
            at("2025-11-02T01:00", "-05:00"), at("2025-11-02T01:30", "-05:00"), at("2025-11-02T02:00", "-05:00"));
  }

  // --- Australia/Lord_Howe: 30-minute shifts ------------------------------------------------------

  @Test
  void lordHoweShiftsByHalfAnHour() {
    ZoneOffsetTransition gap = transitionAfter(LORD_HOWE, "2025-09-01T00:00:00Z", true);
    assertThat(gap.getDuration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(gap.getDateTimeBefore()).isEqualTo(LocalDateTime.parse("2025-10-05T02:00"));
    assertThat(gap.getDateTimeAfter()).isEqualTo(LocalDateTime.parse("2025-10-05T02:30"));

    // 02:00 and 02:15 do not exist; 02:30 is the end of the gap: all three fire once, at 02:30.
    CronSchedule quarter = CronSchedule.of("*/15 * * * *", LORD_HOWE);
    assertThat(fires(quarter, at("2025-10-05T01:45", "+10:30"), at("2025-10-05T02:46", "+11:00")))
        .containsExactly(at("2025-10-05T01:45", "+10:30"), gap.getInstant(),
            at("2025-10-05T02:45", "+11:00"));
    CronSchedule skip = CronSchedule.of("15 2 * * *", CronSyntax.UNIX, LORD_HOWE, DstPolicy.SKIP);
    assertThat(fires(skip, at("2025-10-04T00:00", "+10:30"), at("2025-10-06T00:00", "+11:00")))
        .containsExactly(at("2025-10-04T02:15", "+10:30"));

    ZoneOffsetTransition overlap = transitionAfter(LORD_HOWE, "2025-03-01T00:00:00Z", false);
    assertThat(overlap.getDuration()).isEqualTo(Duration.ofMinutes(-30));
    assertThat(overlap.getDateTimeAfter()).isEqualTo(LocalDateTime.parse("2025-04-06T01:30"));
    CronSchedule oneFortyFive = CronSchedule.of("45 1 * * *", LORD_HOWE);
    assertThat(fires(oneFortyFive, at("2025-04-06T00:00", "+11:00"), at("2025-04-07T00:00", "+10:30")))
        .containsExactly(at("2025-04-06T01:45", "+11:00")); // not again at +10:30
    // 01:30-01:59 happen twice, half an hour apart: an interval job fires in both passes.
    assertThat(fires(quarter, at("2025-04-06T01:30", "+11:00"), at("2025-04-06T02:01", "+10:30")))
        .containsExactly(at("2025-04-06T01:30", "+11:00"), at("2025-04-06T01:45", "+11:00"),
            at("2025-04-06T01:30", "+10:30"), at("2025-04-06T01:45", "+10:30"), at("2025-04-06T02:00", "+10:30"));
  }

  // --- a zone whose clocks jump at midnight --------------------------------------------------------

  /** A transition of Santiago that happens at local midnight, found in the zone rules themselves. */
  private static ZoneOffsetTransition santiagoMidnight(boolean gap) {
    ZoneRules rules = SANTIAGO.getRules();
    ZoneOffsetTransition t = rules.nextTransition(Instant.parse("2019-01-01T00:00:00Z"));
    while (t != null && t.getInstant().isBefore(Instant.parse("2030-01-01T00:00:00Z"))) {
      if (t.isGap() == gap && t.getDateTimeBefore().toLocalTime().equals(LocalTime.MIDNIGHT)) {
        return t;
      }
      t = rules.nextTransition(t.getInstant());
    }
    throw new AssertionError("no midnight " + (gap ? "gap" : "overlap") + " in America/Santiago 2019-2029");
  }

  @Test
  void midnightThatDoesNotExistFiresOnceAtOneOClockOrIsSkipped() {
    ZoneOffsetTransition gap = santiagoMidnight(true);
    LocalDateTime midnight = gap.getDateTimeBefore();
    assertThat(gap.getDateTimeAfter()).isEqualTo(midnight.plusHours(1));
    assertThat(SANTIAGO.getRules().getValidOffsets(midnight)).isEmpty();

    Instant dayBefore = midnight.minusDays(1).toInstant(gap.getOffsetBefore());
    Instant dayAfter = midnight.plusDays(1).toInstant(gap.getOffsetAfter());
    CronSchedule daily = CronSchedule.of("@daily", SANTIAGO);
    assertThat(fires(daily, dayBefore, dayAfter.plusSeconds(1)))
        .containsExactly(dayBefore, gap.getInstant(), dayAfter);
    assertThat(LocalDateTime.ofInstant(gap.getInstant(), SANTIAGO)).isEqualTo(midnight.plusHours(1));

    CronSchedule skip = CronSchedule.of("0 0 * * *", CronSyntax.UNIX, SANTIAGO, DstPolicy.SKIP);
    assertThat(fires(skip, dayBefore, dayAfter.plusSeconds(1))).containsExactly(dayBefore, dayAfter);
  }

  @Test
  void theHourBeforeARepeatedMidnightFiresOnce() {
    ZoneOffsetTransition overlap = santiagoMidnight(false);
    LocalDateTime repeatedFrom = overlap.getDateTimeAfter(); // 23:00 of the day before
    assertThat(repeatedFrom.toLocalTime()).isEqualTo(LocalTime.of(23, 0));

    CronSchedule evening = CronSchedule.of("30 23 * * *", SANTIAGO);
    Instant from = repeatedFrom.minusHours(12).toInstant(overlap.getOffsetBefore());
    Instant to = from.plus(Duration.ofHours(30));
    assertThat(fires(evening, from, to))
        .containsExactly(repeatedFrom.plusMinutes(30).toInstant(overlap.getOffsetBefore()));
    // And the midnight after the repeated hour fires once, at the new offset.
    assertThat(fires(CronSchedule.of("@daily", SANTIAGO), from, to))
        .containsExactly(overlap.getDateTimeBefore().toInstant(overlap.getOffsetAfter()));
    // An hourly job fires in both 23 o'clock hours.
    Instant eleven = repeatedFrom.toInstant(overlap.getOffsetBefore());
    assertThat(fires(CronSchedule.of("0 * * * *", SANTIAGO), eleven, eleven.plus(Duration.ofMinutes(150))))
        .containsExactly(eleven, eleven.plus(Duration.ofHours(1)), eleven.plus(Duration.ofHours(2)));
  }

  @Test
  void firingTimesAreStrictlyIncreasingThroughAYearOfTransitions() {
    for (ZoneId zone : List.of(BERLIN, NEW_YORK, LORD_HOWE, SANTIAGO)) {
      for (DstPolicy policy : DstPolicy.values()) {
        for (String expression : List.of("*/30 * * * *", "30 2 * * *", "0 0 * * *")) {
          CronSchedule s = CronSchedule.of(expression, CronSyntax.UNIX, zone, policy);
          List<Instant> all = fires(s, Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"));
          for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i)).as("%s %s %s #%d", expression, zone, policy, i).isAfter(all.get(i - 1));
          }
          // Once per matching wall time; gaps lose at most 2 half hours (shift: 1), overlaps add up to 2.
          int perDay = s.isInterval() ? 48 : 1;
          assertThat(all.size()).as("%s %s %s", expression, zone, policy).isBetween(365 * perDay - 4, 365 * perDay + 2);
        }
      }
    }
  }

  @Test
  void anIntervalJobFiresEveryRealHalfHourThroughAWholeYear() {
    // The property the old rule broke: with real (UTC) intervals, no half hour is skipped in autumn.
    for (ZoneId zone : List.of(BERLIN, NEW_YORK)) {
      CronSchedule s = CronSchedule.of("*/30 * * * *", zone);
      List<Instant> all = fires(s, Instant.parse("2025-06-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"));
      for (int i = 1; i < all.size(); i++) {
        assertThat(Duration.between(all.get(i - 1), all.get(i))).as("%s #%d after %s", zone, i, all.get(i - 1))
            .isEqualTo(Duration.ofMinutes(30));
      }
    }
  }
}
