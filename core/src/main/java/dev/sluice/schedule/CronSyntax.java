package dev.sluice.schedule;

import com.cronutils.model.CronType;
import dev.sluice.internal.Labels;
import java.util.Locale;

/**
 * The dialect a cron expression is written in, chosen per trigger.
 *
 * <p>Every syntax also accepts the macros {@code @yearly} ({@code @annually}), {@code @monthly},
 * {@code @weekly}, {@code @daily} ({@code @midnight}) and {@code @hourly}.
 */
public enum CronSyntax {
  /** Five fields: minute hour day-of-month month day-of-week ({@code 0-7}, 0 and 7 are Sunday). */
  UNIX(CronType.UNIX, "5 fields: minute hour day-of-month month day-of-week"),
  /**
   * Six or seven fields: second minute hour day-of-month month day-of-week [year]; one of the two
   * day fields must be {@code ?}; day-of-week {@code 1-7} is Sunday to Saturday.
   */
  QUARTZ(CronType.QUARTZ, "6-7 fields: second minute hour day-of-month month day-of-week [year]"),
  /** Six fields as in Spring 5.3+: second minute hour day-of-month month day-of-week. */
  SPRING(CronType.SPRING53, "6 fields: second minute hour day-of-month month day-of-week");

  private final CronType type;
  private final String shape;

  CronSyntax(CronType type, String shape) {
    this.type = type;
    this.shape = shape;
  }

  CronType cronType() {
    return type;
  }

  /**
   * What an expression of this syntax looks like, for error messages.
   *
   * @return e.g. {@code minute hour day-of-month month day-of-week}
   */
  public String shape() {
    return shape;
  }

  /**
   * The lower-case name used in configuration files: {@code unix}, {@code quartz}, {@code spring}.
   *
   * @return the label
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The syntax named {@code label}, case-insensitive.
   *
   * @param label {@code unix}, {@code quartz} or {@code spring}, any case
   * @return the syntax
   * @throws IllegalArgumentException naming the rejected value and the accepted ones
   */
  public static CronSyntax of(String label) {
    return Labels.parse(CronSyntax.class, CronSyntax::label, "cron syntax", label);
  }
}
