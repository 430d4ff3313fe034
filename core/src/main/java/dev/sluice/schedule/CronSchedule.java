package dev.sluice.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinitionBuilder;
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
 *       October in Berlin) fire <em>once</em>, at their first occurrence (the earlier offset). There
 *       is never a double fire; an expression matching every few minutes therefore pauses for the
 *       length of the repeated period. Use zone UTC for jobs that must keep a strict interval.
 *   <li><b>Skipped times</b> (the clocks jump forward, e.g. 02:00&ndash;02:59 on the last Sunday of
 *       March in Berlin, 02:00&ndash;02:29 in Australia/Lord_Howe, 00:00&ndash;00:59 in zones that
 *       change at midnight) follow the {@link DstPolicy}: {@link DstPolicy#SHIFT} (default) fires
 *       once at the first valid instant after the gap, i.e. the transition itself (02:30 becomes
 *       03:00 new time); all skipped times of one gap, and a time at the very end of the gap, share
 *       that single firing. {@link DstPolicy#SKIP} fires nothing for them.
 * </ul>
 *
 * <p>So for every expression and zone, the times returned by successive {@link #nextAfter} calls
 * are strictly increasing and no instant is returned twice.
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

  /** Bounds the skipping of candidates that map to instants already passed (repeated hours). */
  private static final int MAX_CANDIDATES = 100_000;

  private final String expression;
  private final CronSyntax syntax;
  private final ZoneId zone;
  private final DstPolicy dstPolicy;
  private final ExecutionTime execution;
  private final ZoneRules rules;

  private CronSchedule(String expression, CronSyntax syntax, ZoneId zone, DstPolicy dstPolicy) {
    this.expression = expression;
    this.syntax = syntax;
    this.zone = zone;
    this.dstPolicy = dstPolicy;
    this.rules = zone.getRules();
    this.execution = ExecutionTime.forCron(parse(expression, syntax, zone));
  }

  /** A Unix-syntax expression in UTC. */
  public static CronSchedule of(String expression) {
    return of(expression, CronSyntax.UNIX, ZoneOffset.UTC, DstPolicy.SHIFT);
  }

  /** A Unix-syntax expression in {@code zone}. */
  public static CronSchedule of(String expression, ZoneId zone) {
    return of(expression, CronSyntax.UNIX, zone, DstPolicy.SHIFT);
  }

  /**
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

  public String expression() {
    return expression;
  }

  public CronSyntax syntax() {
    return syntax;
  }

  public ZoneId zone() {
    return zone;
  }

  public DstPolicy dstPolicy() {
    return dstPolicy;
  }

  /**
   * The first firing instant strictly after {@code after}, following the DST rules above; empty
   * when the expression never matches again (e.g. {@code 0 0 30 2 *}, or a past year).
   */
  public Optional<Instant> nextAfter(Instant after) {
    Objects.requireNonNull(after, "after");
    LocalDateTime local = LocalDateTime.ofInstant(after, zone);
    ZoneOffsetTransition overlap = rules.getTransition(local);
    if (overlap != null && overlap.isOverlap() && !after.isBefore(overlap.getInstant())) {
      // `after` lies in the second pass of a repeated period: every wall time of that period
      // already fired in the first pass, so look only at times after the period.
      local = overlap.getDateTimeBefore().minusSeconds(1);
    }
    ZonedDateTime cursor = local.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC);
    for (int i = 0; i < MAX_CANDIDATES; i++) {
      Optional<ZonedDateTime> next = execution.nextExecution(cursor);
      if (next.isEmpty()) {
        return Optional.empty();
      }
      Instant at = toInstant(next.get().toLocalDateTime());
      if (at != null && at.isAfter(after)) {
        return Optional.of(at);
      }
      cursor = next.get();
    }
    throw new IllegalStateException("cron expression '" + expression + "' in zone " + zone
        + ": no firing time found after " + after + " within " + MAX_CANDIDATES + " candidates");
  }

  /** Up to {@code count} firing instants strictly after {@code after}, in order. */
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

  /** The instant a matching wall-clock time fires at, or null when the DST policy skips it. */
  private Instant toInstant(LocalDateTime wallTime) {
    List<ZoneOffset> offsets = rules.getValidOffsets(wallTime);
    if (!offsets.isEmpty()) {
      return wallTime.toInstant(offsets.get(0)); // repeated time: the earlier offset, first pass
    }
    return dstPolicy == DstPolicy.SHIFT ? rules.getTransition(wallTime).getInstant() : null;
  }

  /** {@code "<expression>"} in UTC, else {@code "<expression> <zone>"}; plus the syntax unless Unix. */
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
