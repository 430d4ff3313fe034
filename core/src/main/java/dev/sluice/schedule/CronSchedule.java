package dev.sluice.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronField;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.And;
import com.cronutils.model.field.expression.FieldExpression;
import com.cronutils.model.field.expression.On;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed cron expression in a time zone: answers "when is the next time after this instant".
 *
 * <h2>How times are computed</h2>
 *
 * The expression is matched against <em>wall-clock</em> times of its zone (default UTC), never
 * against UTC instants, so {@code 0 9 * * *} in Europe/Berlin is 09:00 Berlin time in winter and
 * in summer. Each matching wall-clock time is then turned into an instant:
 *
 * <ul>
 *   <li><b>Normal times</b> have exactly one instant.
 *   <li><b>Repeated times</b> (the clocks go back, e.g. 02:00&ndash;02:59 on the last Sunday of
 *       October in Berlin happen twice, first at +02:00, then at +01:00) follow the rule of Vixie
 *       cron and cronie: <em>jobs that run at a specific time run once, jobs with wildcards run at
 *       every real interval</em>. Precisely, per expression ({@link #isInterval()}):
 *       <ul>
 *         <li>A <b>fixed-time</b> expression, whose second (Quartz/Spring), minute and hour fields
 *             each name single values or lists of them ({@code 30 2 * * *}, {@code 0,30 9,17 * * *},
 *             {@code @daily}), fires a repeated time <em>once</em>, at its first occurrence (the
 *             earlier offset): a daily job never runs twice in one night.
 *         <li>An <b>interval</b> expression, where any of those fields is a wildcard, a step or a
 *             range ({@code 0 * * * *}, {@code @hourly}, {@code *}{@code /15 * * * *},
 *             {@code 0 1-3 * * *}, {@code 0 *}{@code /2 * * *}), fires at <em>every</em> occurrence:
 *             02:00, 02:15 &hellip; 02:45 at +02:00, then 02:00, 02:15 &hellip; at +01:00, so an
 *             hourly job keeps running every real hour. (Vixie cron looks only at a leading
 *             {@code *}; here a range or a step without {@code *}, e.g. {@code 0-59/15}, counts as
 *             a wildcard too, so equal expressions behave alike.)
 *       </ul>
 *   <li><b>Skipped times</b> (the clocks jump forward, e.g. 02:00&ndash;02:59 on the last Sunday of
 *       March in Berlin, 02:00&ndash;02:29 in Australia/Lord_Howe, 00:00&ndash;00:59 in zones that
 *       change at midnight) follow the {@link DstPolicy}: {@link DstPolicy#SHIFT} (default) fires
 *       once at the first valid instant after the gap, i.e. the transition itself (02:30 becomes
 *       03:00 new time); all skipped times of one gap, and a time at the very end of the gap, share
 *       that single firing. {@link DstPolicy#SKIP} fires nothing for them.
 * </ul>
 *
 * <p>So for every expression and zone, the times returned by successive {@link #nextAfter} calls
 * are strictly increasing and no instant is returned twice (the two occurrences of a repeated wall
 * time are two different instants, an hour apart in Berlin).
 *
 * <p>Immutable and thread-safe. Two schedules are equal when expression (as written, trimmed),
 * syntax, zone and DST policy are equal.
 */
public final class CronSchedule {
  private static final Map<CronSyntax, CronParser> PARSERS = new EnumMap<>(CronSyntax.class);

  static {
    for (CronSyntax s : CronSyntax.values()) {
      PARSERS.put(s, new CronParser(CronDefinitionBuilder.instanceDefinitionFor(s.cronType())));
    }
  }

  /** Bounds the walk over UTC-offset periods (each step crosses one transition of the zone). */
  private static final int MAX_PERIODS = 100_000;

  private final String expression;
  private final CronSyntax syntax;
  private final ZoneId zone;
  private final DstPolicy dstPolicy;
  private final ExecutionTime execution;
  private final ZoneRules rules;
  private final boolean interval;

  private CronSchedule(String expression, CronSyntax syntax, ZoneId zone, DstPolicy dstPolicy) {
    this.expression = expression;
    this.syntax = syntax;
    this.zone = zone;
    this.dstPolicy = dstPolicy;
    this.rules = zone.getRules();
    Cron cron = parse(expression, syntax, zone);
    this.execution = ExecutionTime.forCron(cron);
    this.interval = isInterval(cron);
  }

  /**
   * A Unix-syntax expression in UTC.
   *
   * @param expression a five-field Unix cron expression or a macro such as {@code @daily}
   * @return the schedule
   * @throws InvalidCronException when the expression can't be parsed
   */
  public static CronSchedule of(String expression) {
    return of(expression, CronSyntax.UNIX, ZoneOffset.UTC, DstPolicy.SHIFT);
  }

  /**
   * A Unix-syntax expression in {@code zone}.
   *
   * @param expression a five-field Unix cron expression or a macro such as {@code @daily}
   * @param zone the zone whose wall clock the expression reads
   * @return the schedule
   * @throws InvalidCronException when the expression can't be parsed
   */
  public static CronSchedule of(String expression, ZoneId zone) {
    return of(expression, CronSyntax.UNIX, zone, DstPolicy.SHIFT);
  }

  /**
   * Parses an expression.
   *
   * @param expression the expression, in {@code syntax}
   * @param syntax the cron dialect
   * @param zone the zone whose wall clock the expression reads
   * @param dstPolicy what to do with wall-clock times that daylight saving skips
   * @return the schedule, immutable
   * @throws InvalidCronException naming the expression, its syntax and what is wrong
   */
  public static CronSchedule of(String expression, CronSyntax syntax, ZoneId zone, DstPolicy dstPolicy) {
    Objects.requireNonNull(syntax, "syntax");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(dstPolicy, "dstPolicy");
    if (expression == null || expression.isBlank()) {
      throw new InvalidCronException("cron expression must not be blank, got "
          + (expression == null ? "null" : "'" + expression + "'"), null);
    }
    return new CronSchedule(expression.trim(), syntax, zone, dstPolicy);
  }

  private static Cron parse(String expression, CronSyntax syntax, ZoneId zone) {
    String expanded = expandMacro(expression, syntax);
    try {
      Cron cron = PARSERS.get(syntax).parse(expanded);
      cron.validate();
      return cron;
    } catch (IllegalArgumentException e) {
      throw new InvalidCronException("cron expression '" + expression + "' (" + syntax.label()
          + " syntax, zone " + zone + ") is invalid: " + e.getMessage() + "; expected "
          + syntax.shape() + ", or a macro like @hourly or @daily", e);
    }
  }

  /** Vixie cron's MIN_STAR/HR_STAR distinction, on the parsed fields (see the class comment). */
  private static boolean isInterval(Cron cron) {
    for (CronFieldName name : List.of(CronFieldName.SECOND, CronFieldName.MINUTE, CronFieldName.HOUR)) {
      CronField field = cron.retrieve(name);
      if (field != null && !namesSingleValues(field.getExpression())) {
        return true;
      }
    }
    return false;
  }

  private static boolean namesSingleValues(FieldExpression expression) {
    if (expression instanceof On) {
      return true;
    }
    return expression instanceof And list
        && list.getExpressions().stream().allMatch(CronSchedule::namesSingleValues);
  }

  private static String expandMacro(String expression, CronSyntax syntax) {
    if (!expression.startsWith("@")) {
      return expression;
    }
    // {unix, quartz, spring}: the same wall times; Quartz wants '?' in one day field and counts
    // Sunday as 1, Spring adds a seconds field.
    String[] forms = switch (expression.toLowerCase(Locale.ROOT)) {
      case "@yearly", "@annually" -> new String[] {"0 0 1 1 *", "0 0 0 1 1 ?", "0 0 0 1 1 *"};
      case "@monthly" -> new String[] {"0 0 1 * *", "0 0 0 1 * ?", "0 0 0 1 * *"};
      case "@weekly" -> new String[] {"0 0 * * 0", "0 0 0 ? * 1", "0 0 0 * * 0"};
      case "@daily", "@midnight" -> new String[] {"0 0 * * *", "0 0 0 * * ?", "0 0 0 * * *"};
      case "@hourly" -> new String[] {"0 * * * *", "0 0 * * * ?", "0 0 * * * *"};
      default -> throw new InvalidCronException("cron macro '" + expression + "' is not supported;"
          + " use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly", null);
    };
    return switch (syntax) {
      case UNIX -> forms[0];
      case QUARTZ -> forms[1];
      case SPRING -> forms[2];
    };
  }

  /**
   * The expression as written.
   *
   * @return the expression, never null
   */
  public String expression() {
    return expression;
  }

  /**
   * The cron dialect of {@link #expression()}.
   *
   * @return the syntax, never null
   */
  public CronSyntax syntax() {
    return syntax;
  }

  /**
   * The zone whose wall clock the expression reads.
   *
   * @return the zone, never null
   */
  public ZoneId zone() {
    return zone;
  }

  /**
   * What happens to wall-clock times that daylight saving skips.
   *
   * @return the policy, never null
   */
  public DstPolicy dstPolicy() {
    return dstPolicy;
  }

  /**
   * Whether this is an interval expression, whose wall-clock times repeated when the clocks go back
   * fire at every occurrence ({@code true}: a wildcard, step or range in the second, minute or hour
   * field, e.g. {@code 0 * * * *}), or a fixed-time expression, whose repeated times fire once, at
   * the first occurrence ({@code false}, e.g. {@code 30 2 * * *}). See the class comment.
   *
   * @return true for an interval expression
   */
  public boolean isInterval() {
    return interval;
  }

  /**
   * The first firing instant strictly after {@code after}, following the DST rules above; empty
   * when the expression never matches again (e.g. {@code 0 0 30 2 *}, or a past year).
   *
   * @param after the instant to search from (exclusive), not null
   * @return the next firing instant, or empty
   */
  public Optional<Instant> nextAfter(Instant after) {
    Objects.requireNonNull(after, "after");
    // Walk the timeline one UTC-offset period at a time: inside a period the wall clock runs
    // forward with the instants, so cron-utils' next wall time is the next instant; a period ends
    // at a transition, where the wall clock jumps forward (a gap) or back (an overlap).
    Instant periodStart = after;
    boolean inclusive = false; // whether a wall time at periodStart itself may fire
    for (int i = 0; i < MAX_PERIODS; i++) {
      ZoneOffset offset = rules.getOffset(periodStart);
      ZoneOffsetTransition end = rules.nextTransition(periodStart);
      LocalDateTime wall = LocalDateTime.ofInstant(periodStart, offset).truncatedTo(ChronoUnit.SECONDS);
      LocalDateTime searchAfter = inclusive ? wall.minusSeconds(1) : wall;
      ZoneOffsetTransition repeated = rules.getTransition(wall);
      if (!interval && repeated != null && repeated.isOverlap() && !periodStart.isBefore(repeated.getInstant())) {
        // Second pass of a repeated period: a fixed-time expression fired its times in the first.
        LocalDateTime lastRepeated = repeated.getDateTimeBefore().minusSeconds(1);
        searchAfter = searchAfter.isBefore(lastRepeated) ? lastRepeated : searchAfter;
      }
      Optional<LocalDateTime> next = nextWallTime(searchAfter);
      if (next.isPresent() && (end == null || next.get().toInstant(offset).isBefore(end.getInstant()))) {
        return Optional.of(next.get().toInstant(offset));
      }
      if (end == null || (next.isEmpty() && end.isGap())) {
        return Optional.empty(); // wall times only move forward from here and none matches
      }
      if (end.isGap() && dstPolicy == DstPolicy.SHIFT) {
        Optional<LocalDateTime> skipped = nextWallTime(end.getDateTimeBefore().minusSeconds(1));
        if (skipped.isPresent() && skipped.get().isBefore(end.getDateTimeAfter())) {
          return Optional.of(end.getInstant()); // the skipped times fire once, at the transition
        }
      }
      periodStart = end.getInstant();
      inclusive = true;
    }
    throw new IllegalStateException("cron expression '" + expression + "' in zone " + zone
        + ": no firing time found after " + after + " within " + MAX_PERIODS + " UTC-offset changes");
  }

  /** The first wall-clock time strictly after {@code wall} that the expression matches. */
  private Optional<LocalDateTime> nextWallTime(LocalDateTime wall) {
    return execution.nextExecution(wall.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
  }

  /**
   * Up to {@code count} firing instants strictly after {@code after}, in order.
   *
   * @param after the instant to search from (exclusive), not null
   * @param count the maximum number of instants, at least 0
   * @return the instants, fewer than {@code count} when the expression stops matching
   * @throws IllegalArgumentException when {@code count} is negative
   */
  public List<Instant> next(Instant after, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    List<Instant> out = new ArrayList<>(Math.min(count, 1024));
    Instant cursor = after;
    while (out.size() < count) {
      Optional<Instant> next = nextAfter(cursor);
      if (next.isEmpty()) {
        break;
      }
      out.add(next.get());
      cursor = next.get();
    }
    return out;
  }

  /**
   * {@code "<expression>"} in UTC, else {@code "<expression> <zone>"}; plus the syntax unless Unix.
   *
   * @return a short description, e.g. {@code 0 2 * * * Europe/Berlin}
   */
  public String describe() {
    StringBuilder sb = new StringBuilder(expression);
    if (!zone.equals(ZoneOffset.UTC)) {
      sb.append(' ').append(zone.getId());
    }
    if (syntax != CronSyntax.UNIX) {
      sb.append(" (").append(syntax.label()).append(')');
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronSchedule c
        && expression.equals(c.expression)
        && syntax == c.syntax
        && zone.equals(c.zone)
        && dstPolicy == c.dstPolicy;
  }

  @Override
  public int hashCode() {
    return Objects.hash(expression, syntax, zone, dstPolicy);
  }

  @Override
  public String toString() {
    return "CronSchedule{" + describe() + ", dst=" + dstPolicy.label() + "}";
  }
}
