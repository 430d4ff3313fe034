package dev.sluice.connectors.http;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
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
}
