package dev.sluice.connectors.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/** Date patterns as users write them in templates and options, checked when compiled. */
final class DatePatterns {
  private static final ZonedDateTime SAMPLE = ZonedDateTime.of(2026, 3, 31, 13, 45, 10, 0, ZoneOffset.UTC);

  private DatePatterns() {}

  /**
   * Compiles a {@link DateTimeFormatter} pattern and formats a sample date with it, so that a
   * pattern naming fields a date-time does not have fails now, not during a read.
   *
   * @param zone the zone it formats in, or null for the value's own
   * @throws IllegalArgumentException naming the pattern; also for JDK failures other than
   *     IllegalArgumentException that some malformed patterns provoke
   */
  static DateTimeFormatter compile(String pattern, ZoneId zone) {
    DateTimeFormatter f;
    try {
      f = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
      if (zone != null) {
        f = f.withZone(zone);
      }
      f.format(SAMPLE);
    } catch (RuntimeException e) { // e.g. a ClassCastException for "pew" (padding before a number)
      throw new IllegalArgumentException("invalid date pattern '" + pattern + "': "
          + (e instanceof IllegalArgumentException || e instanceof java.time.DateTimeException ? e.getMessage()
              : "the pattern is malformed"), e);
    }
    return f;
  }

  /**
   * An instant from {@code text}: by {@code pattern} when given, else (or when that fails) as
   * ISO-8601: an offset date-time, a local date-time or a date, the local ones in {@code zone}.
   *
   * @throws DateTimeException when no form fits
   */
  static Instant parse(String text, DateTimeFormatter pattern, ZoneId zone) {
    String t = text.trim();
    if (pattern != null) {
      try {
        TemporalAccessor parsed = pattern.parseBest(t, ZonedDateTime::from, LocalDateTime::from, LocalDate::from);
        return parsed instanceof ZonedDateTime z ? z.toInstant()
            : parsed instanceof LocalDateTime l ? l.atZone(zone).toInstant()
            : ((LocalDate) parsed).atStartOfDay(zone).toInstant();
      } catch (DateTimeException e) {
        // try ISO: start: "{now-30d}" renders ISO whatever the API's pattern
      }
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeException e) {
      try {
        return LocalDateTime.parse(t).atZone(zone).toInstant();
      } catch (DateTimeException e2) {
        return LocalDate.parse(t).atStartOfDay(zone).toInstant();
      }
    }
  }
}
