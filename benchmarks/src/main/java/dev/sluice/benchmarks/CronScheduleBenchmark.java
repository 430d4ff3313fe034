package dev.sluice.benchmarks;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.sluice.schedule.CronSchedule;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of computing the next firing time, which the scheduler pays once per firing and once per
 * trigger at start: Sluice's {@link CronSchedule#nextAfter} (cron-utils on wall-clock time plus the
 * DST rules of docs/user-guide/scheduler.md) against calling cron-utils' {@code ExecutionTime.nextExecution}
 * directly in the zone (the peer it is built on), over instants spread across a year that includes
 * both Berlin DST changes.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CronScheduleBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class CronScheduleBenchmark {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final int POINTS = 4096;

  private final Instant[] instants = new Instant[POINTS];
  private final ZonedDateTime[] zoned = new ZonedDateTime[POINTS];
  private CronSchedule sluiceQuarterHour;
  private CronSchedule sluiceWeekdays;
  private ExecutionTime cronUtilsQuarterHour;
  private ExecutionTime cronUtilsWeekdays;
  private int i;

  @Setup
  public void setUp() {
    Random random = new Random(1);
    long start = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();
    for (int k = 0; k < POINTS; k++) {
      instants[k] = Instant.ofEpochSecond(start + (long) (random.nextDouble() * 365 * 86_400));
      zoned[k] = instants[k].atZone(BERLIN);
    }
    sluiceQuarterHour = CronSchedule.of("*/15 * * * *", BERLIN);
    sluiceWeekdays = CronSchedule.of("30 2 * * 1-5", BERLIN);
    CronParser unix = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    cronUtilsQuarterHour = ExecutionTime.forCron(unix.parse("*/15 * * * *"));
    cronUtilsWeekdays = ExecutionTime.forCron(unix.parse("30 2 * * 1-5"));
  }

  private int next() {
    i = (i + 1) & (POINTS - 1);
    return i;
  }

  @Benchmark
  public Object sluiceEveryQuarterHour() {
    return sluiceQuarterHour.nextAfter(instants[next()]);
  }

  @Benchmark
  public Object cronUtilsEveryQuarterHour() {
    return cronUtilsQuarterHour.nextExecution(zoned[next()]);
  }

  @Benchmark
  public Object sluiceWeekdaysAt0230() {
    return sluiceWeekdays.nextAfter(instants[next()]);
  }

  @Benchmark
  public Object cronUtilsWeekdaysAt0230() {
    return cronUtilsWeekdays.nextExecution(zoned[next()]);
  }
}
