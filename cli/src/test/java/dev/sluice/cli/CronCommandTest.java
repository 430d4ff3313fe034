package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int sluice(String... args) {
    return SluiceCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private List<String> lines() {
    return out.toString().lines().toList();
  }

  @Test
  void printsTheNextTimesInTheZoneAndInUtc() {
    int code = sluice("cron", "*/15 * * * *", "--zone", "Europe/Berlin", "--from", "2025-01-15T10:07", "--count", "3");
    assertThat(code).as(err.toString()).isZero();
    assertThat(lines()).containsExactly(
        "Next 3 time(s) of '*/15 * * * *' (unix, zone Europe/Berlin, dst shift, repeated times fire at every occurrence) after 2025-01-15T09:07:00Z:",
        "  2025-01-15 Wed 10:15:00 +01:00   2025-01-15T09:15:00Z",
        "  2025-01-15 Wed 10:30:00 +01:00   2025-01-15T09:30:00Z",
        "  2025-01-15 Wed 10:45:00 +01:00   2025-01-15T09:45:00Z");
  }

  @Test
  void showsTheDstShiftOfASkippedTime() {
    int code = sluice("cron", "30 2 * * *", "--zone", "Europe/Berlin", "--from", "2025-03-29", "--count", "3");
    assertThat(code).isZero();
    assertThat(lines()).containsExactly(
        "Next 3 time(s) of '30 2 * * *' (unix, zone Europe/Berlin, dst shift, repeated times fire once) after 2025-03-28T23:00:00Z:",
        "  2025-03-29 Sat 02:30:00 +01:00   2025-03-29T01:30:00Z",
        "  2025-03-30 Sun 03:00:00 +02:00   2025-03-30T01:00:00Z   <- UTC offset changed from +01:00",
        "  2025-03-31 Mon 02:30:00 +02:00   2025-03-31T00:30:00Z");
    out.getBuffer().setLength(0);
    assertThat(sluice("cron", "30 2 * * *", "--zone", "Europe/Berlin", "--from", "2025-03-29", "--count", "2",
        "--dst", "skip")).isZero();
    assertThat(lines()).contains("  2025-03-31 Mon 02:30:00 +02:00   2025-03-31T00:30:00Z   <- UTC offset changed from +01:00");
  }

  @Test
  void showsBothOccurrencesOfTheRepeatedHourForAnHourlyJob() {
    int code = sluice("cron", "0 * * * *", "--zone", "Europe/Berlin", "--from", "2025-10-26T00:30", "--count", "4");
    assertThat(code).as(err.toString()).isZero();
    assertThat(lines()).containsExactly(
        "Next 4 time(s) of '0 * * * *' (unix, zone Europe/Berlin, dst shift, repeated times fire at every occurrence)"
            + " after 2025-10-25T22:30:00Z:",
        "  2025-10-26 Sun 01:00:00 +02:00   2025-10-25T23:00:00Z",
        "  2025-10-26 Sun 02:00:00 +02:00   2025-10-26T00:00:00Z   <- repeated time, 1st occurrence",
        "  2025-10-26 Sun 02:00:00 +01:00   2025-10-26T01:00:00Z   <- UTC offset changed from +02:00;"
            + " repeated time, 2nd occurrence",
        "  2025-10-26 Sun 03:00:00 +01:00   2025-10-26T02:00:00Z");
  }

  @Test
  void showsThatAFixedTimeJobFiresARepeatedTimeOnce() {
    int code = sluice("cron", "30 2 * * *", "--zone", "Europe/Berlin", "--from", "2025-10-25T12:00", "--count", "2");
    assertThat(code).as(err.toString()).isZero();
    assertThat(lines()).containsExactly(
        "Next 2 time(s) of '30 2 * * *' (unix, zone Europe/Berlin, dst shift, repeated times fire once)"
            + " after 2025-10-25T10:00:00Z:",
        "  2025-10-26 Sun 02:30:00 +02:00   2025-10-26T00:30:00Z   <- repeated time, fires at its 1st occurrence only",
        "  2025-10-27 Mon 02:30:00 +01:00   2025-10-27T01:30:00Z   <- UTC offset changed from +02:00");
  }

  @Test
  void quartzSyntaxAndInstantsWork() {
    int code = sluice("cron", "0 0 9 ? * MON-FRI", "--syntax", "quartz", "--from", "2025-01-03T12:00:00Z", "--count", "2");
    assertThat(code).isZero();
    assertThat(lines()).containsExactly(
        "Next 2 time(s) of '0 0 9 ? * MON-FRI' (quartz, zone UTC, dst shift, repeated times fire once) after 2025-01-03T12:00:00Z:",
        "  2025-01-06 Mon 09:00:00 +00:00   2025-01-06T09:00:00Z",
        "  2025-01-07 Tue 09:00:00 +00:00   2025-01-07T09:00:00Z");
  }

  @Test
  void anExpressionThatNeverMatchesSaysSo() {
    assertThat(sluice("cron", "0 0 30 2 *", "--from", "2025-01-01")).isZero();
    assertThat(out.toString()).contains("Next 0 time(s)").contains("never matches again");
  }

  @Test
  void badInputIsAUsageErrorNamingWhatIsWrong() {
    assertThat(sluice("cron", "61 * * * *")).isEqualTo(2);
    assertThat(err.toString()).contains("'61 * * * *'").contains("unix syntax");
    assertThat(sluice("cron", "* * * * *", "--zone", "Mars/Olympus")).isEqualTo(2);
    assertThat(err.toString()).contains("Mars/Olympus");
    assertThat(sluice("cron", "* * * * *", "--from", "yesterday")).isEqualTo(2);
    assertThat(err.toString()).contains("--from must be").contains("'yesterday'");
    assertThat(sluice("cron", "* * * * *", "--count", "0")).isEqualTo(2);
    assertThat(sluice("cron", "* * * * *", "--syntax", "cobol")).isEqualTo(2);
    assertThat(err.toString()).contains("'cobol'");
  }
}
