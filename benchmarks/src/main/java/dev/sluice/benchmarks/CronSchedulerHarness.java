package dev.sluice.benchmarks;

import dev.sluice.Sluice;
import dev.sluice.record.Checkpoint;
import dev.sluice.schedule.CronSyntax;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntFunction;

/**
 * Not a JMH benchmark: what it measures (CPU of an idle scheduler, lateness of real firings) needs
 * wall-clock minutes, not a tight loop. Registers N cron pipelines (default 10,000) in one Sluice
 * and reports:
 *
 * <ol>
 *   <li><b>start</b>: time of {@code sluice.start()} (arming every trigger);
 *   <li><b>idle</b>: process CPU and the ticker thread's CPU over {@code idleSeconds} while no
 *       trigger is due (every pipeline fires on 1 Jan 2099);
 *   <li><b>firing</b>: every pipeline fires once a minute at its own second (N/60 runs per second),
 *       for {@code fireSeconds}; lateness is measured from the firing time to the moment the
 *       pipeline's connector starts reading (scheduler + executor + engine start), after a first
 *       minute of warm-up, as p50 / p99 / max, plus process CPU.
 * </ol>
 *
 * <p>Run: {@code java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.CronSchedulerHarness
 * [pipelines] [idleSeconds] [fireSeconds]}
 */
public final class CronSchedulerHarness {
  private CronSchedulerHarness() {}

  public static void main(String[] args) throws Exception {
    int pipelines = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int fireSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 180;
    System.out.printf(Locale.ROOT, "%d cron pipelines, Java %s, %d cores%n", pipelines,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());

    idle(pipelines, idleSeconds);
    firing(pipelines, fireSeconds);
  }

  private static Sluice build(int pipelines, IntFunction<CronTrigger> trigger, Connector connector) {
    Sluice.Builder b = Sluice.builder().meterRegistry(new SimpleMeterRegistry());
    for (int i = 0; i < pipelines; i++) {
      CronTrigger t = trigger.apply(i);
      b.pipeline("p" + i, p -> p.source(connector).trigger(t));
    }
    return b.build();
  }

  private static void idle(int pipelines, int seconds) throws InterruptedException {
    Connector nothing = (ctx, from, emitter) -> {};
    try (Sluice sluice = build(pipelines, i -> CronTrigger.builder("0 " + (i % 60) + " 0 1 1 ? 2099")
        .syntax(CronSyntax.QUARTZ).build(), nothing)) {
      long t0 = System.nanoTime();
      sluice.start();
      System.out.printf(Locale.ROOT, "start: %d triggers armed in %d ms%n", pipelines, (System.nanoTime() - t0) / 1_000_000);
      System.gc();
      Thread.sleep(2_000);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long tickerId = tickerThread(threads);
      long tickerCpu0 = threads.getThreadCpuTime(tickerId);
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double wall = (System.nanoTime() - wall0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      double tickerCpu = (threads.getThreadCpuTime(tickerId) - tickerCpu0) / 1e9;
      System.out.printf(Locale.ROOT, "idle: %.0f s wall, process CPU %.3f s (%.3f%% of one core), ticker thread CPU %.4f s%n",
          wall, cpu, 100 * cpu / wall, tickerCpu);
    }
  }

  private static void firing(int pipelines, int seconds) throws InterruptedException {
    ConcurrentLinkedQueue<Long> lateMicros = new ConcurrentLinkedQueue<>();
    Instant measureFrom = Instant.now().plus(Duration.ofSeconds(60)); // first minute is warm-up
    Connector probe = new Connector() {
      @Override
      public void read(ReadContext ctx, Checkpoint from, Emitter emitter) {
        Instant now = ctx.clock().instant();
        int second = Integer.parseInt(ctx.pipeline().substring(1)) % 60;
        Instant scheduled = now.truncatedTo(ChronoUnit.MINUTES).plusSeconds(second);
        if (scheduled.isAfter(now)) {
          scheduled = scheduled.minusSeconds(60);
        }
        if (now.isAfter(measureFrom)) {
          lateMicros.add(Duration.between(scheduled, now).toNanos() / 1000);
        }
      }
    };
    try (Sluice sluice = build(pipelines, i -> CronTrigger.builder((i % 60) + " * * * * ?")
        .syntax(CronSyntax.QUARTZ).build(), probe)) {
      sluice.start();
      Thread.sleep(60_000);
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double wall = (System.nanoTime() - wall0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      long[] late = lateMicros.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf(Locale.ROOT, "firing: %d runs in %.0f s (%.0f runs/s), process CPU %.1f%% of one core%n",
          late.length, wall, late.length / wall, 100 * cpu / wall);
      System.out.printf(Locale.ROOT, "lateness (firing time -> connector reads): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          pct(late, 0.50) / 1000.0, pct(late, 0.99) / 1000.0, late.length == 0 ? 0 : late[late.length - 1] / 1000.0);
    }
  }

  private static long pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  private static long tickerThread(ThreadMXBean threads) {
    return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
        .filter(t -> t != null && t.getThreadName().equals("sluice-ticker"))
        .mapToLong(ThreadInfo::getThreadId).findFirst()
        .orElseThrow(() -> new IllegalStateException("no sluice-ticker thread"));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
