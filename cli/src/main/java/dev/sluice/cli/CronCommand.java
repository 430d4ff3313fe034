package dev.sluice.cli;

import dev.sluice.schedule.CronSchedule;
import dev.sluice.schedule.CronSyntax;
import dev.sluice.schedule.DstPolicy;
import dev.sluice.schedule.InvalidCronException;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice cron "<expr>"}: prints the next firing times of a cron expression exactly as the
 * scheduler computes them, DST rules included, to check an expression before deploying it.
 */
@Command(name = "cron", mixinStandardHelpOptions = true,
    description = "Prints the next firing times of a cron expression, as the scheduler computes them (DST included).")
final class CronCommand implements Callable<Integer> {
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd EEE HH:mm:ss xxx", Locale.ROOT);

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "EXPRESSION",
      description = "E.g. \"*/15 * * * *\", \"0 0 9 ? * MON-FRI\" (quartz) or @daily; quote it.")
  String expression;

  @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "UTC",
      description = "Time zone of the expression, e.g. Europe/Berlin (default: ${DEFAULT-VALUE}).")
  String zone;

  @Option(names = "--from", paramLabel = "TIME",
      description = "Start after this time: 2025-03-30T00:00:00Z, or a local 2025-03-30T00:00 or 2025-03-30 in the zone (default: now).")
  String from;

  @Option(names = "--count", paramLabel = "N", defaultValue = "10",
      description = "How many times to print, 1-1000 (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--syntax", paramLabel = "SYNTAX", defaultValue = "unix",
      description = "unix (5 fields), quartz (6-7 fields) or spring (6 fields) (default: ${DEFAULT-VALUE}).")
  String syntax;

  @Option(names = "--dst", paramLabel = "POLICY", defaultValue = "shift",
      description = "Times inside a DST gap: shift (fire once at the end of the gap) or skip (default: ${DEFAULT-VALUE}).")
  String dst;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (count < 1 || count > 1000) {
      err.println("sluice: --count must be between 1 and 1000, got " + count);
      return ExitCodes.USAGE;
    }
    CronSchedule schedule;
    Instant start;
    try {
      ZoneId z = ZoneId.of(zone);
      schedule = CronSchedule.of(expression, CronSyntax.of(syntax), z, DstPolicy.of(dst));
      start = from == null ? Instant.now() : parseFrom(from, z);
    } catch (InvalidCronException | IllegalArgumentException | DateTimeException e) {
      err.println("sluice: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    List<Instant> times = schedule.next(start, count);
    out.println("Next " + times.size() + " time(s) of '" + schedule.expression() + "' (" + schedule.syntax().label()
        + ", zone " + schedule.zone().getId() + ", dst " + schedule.dstPolicy().label() + ", repeated times "
        + (schedule.isInterval() ? "fire at every occurrence" : "fire once") + ") after " + start + ":");
    ZoneRules rules = schedule.zone().getRules();
    ZoneOffset previous = rules.getOffset(start);
    for (Instant t : times) {
      ZonedDateTime local = t.atZone(schedule.zone());
      List<String> notes = new ArrayList<>();
      if (!local.getOffset().equals(previous)) {
        notes.add("UTC offset changed from " + previous);
      }
      List<ZoneOffset> offsets = rules.getValidOffsets(local.toLocalDateTime());
      if (offsets.size() > 1) {
        // The clocks go back over this wall time: say which of its two occurrences this is.
        boolean first = local.getOffset().equals(offsets.get(0));
        notes.add(schedule.isInterval() ? "repeated time, " + (first ? "1st" : "2nd") + " occurrence"
            : "repeated time, fires at its 1st occurrence only");
      }
      out.println("  " + LOCAL.format(local) + "   " + t + (notes.isEmpty() ? "" : "   <- " + String.join("; ", notes)));
      previous = local.getOffset();
    }
    if (times.size() < count) {
      out.println("  (no further times: the expression never matches again)");
    }
    return ExitCodes.OK;
  }

  private static Instant parseFrom(String text, ZoneId zone) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return ZonedDateTime.of(LocalDateTime.parse(text), zone).toInstant();
      } catch (DateTimeParseException notLocal) {
        try {
          return LocalDate.parse(text).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("--from must be an instant (2025-03-30T00:00:00Z), a local date-time"
              + " (2025-03-30T00:00) or a date (2025-03-30); got '" + text + "'");
        }
      }
    }
  }
}
