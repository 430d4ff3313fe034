package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.pipeline.RunReport;
import dev.sluice.record.Batch;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows that a slow destination keeps the heap bounded: streams N (default 5,000,000) generated ~1
 * KB order records through one pipeline into a destination that takes {@code delayMillis} per batch,
 * and reports time, peak heap, the live heap (after a full GC forced every 5 s) and how far the
 * source ever ran ahead of the destination. Not a JMH benchmark: it measures memory over one long run, not throughput.
 *
 * <pre>
 * java -Xmx128m -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.SlowDestinationHeapRun [records] [delayMillis]
 * </pre>
 *
 * Exits with status 1 when the run does not deliver every record.
 */
public final class SlowDestinationHeapRun {
  private SlowDestinationHeapRun() {}

  public static void main(String[] args) throws Exception {
    long records = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
    long delayMillis = args.length > 1 ? Long.parseLong(args[1]) : 10;
    ObjectMapper mapper = new ObjectMapper();
    AtomicLong emitted = new AtomicLong();
    AtomicLong delivered = new AtomicLong();
    AtomicLong maxAhead = new AtomicLong();

    Connector source = (context, from, out) -> {
      Random random = new Random(42);
      long start = from == null ? 1 : from.state().get("next").asLong();
      for (long i = start; i <= records && !context.isCancelled(); i++) {
        out.emit(Record.of("ord-" + i, Orders.order(mapper, random, (int) i)));
        emitted.incrementAndGet();
        if (i % 10_000 == 0 || i == records) {
          out.checkpoint(Checkpoint.of("next", i + 1));
        }
      }
    };
    Destination slow = new Destination() {
      @Override
      public DeliveryResult deliver(Batch batch) throws InterruptedException {
        Thread.sleep(delayMillis);
        maxAhead.accumulateAndGet(emitted.get() - delivered.addAndGet(batch.size()), Math::max);
        return DeliveryResult.success();
      }
    };

    HeapSampler sampler = new HeapSampler();
    sampler.start();
    long t0 = System.nanoTime();
    RunReport report;
    try (Sluice sluice = Sluice.builder()
        .destination("slow", slow, d -> d.batchSize(500).linger(Duration.ofMillis(50)).concurrency(2))
        .pipeline("orders", p -> p.source(source).route(r -> r.to("slow")))
        .build()) {
      report = sluice.run("orders");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    sampler.stop();

    Runtime rt = Runtime.getRuntime();
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    System.out.printf(Locale.ROOT, "records          %,d read, %,d delivered (%s)%n",
        report.recordsRead(), report.delivered(), report.status());
    System.out.printf(Locale.ROOT, "time             %.1f s (%,.0f records/s; destination sleeps %d ms per batch of 500, 2 in flight)%n",
        seconds, report.delivered() / seconds, delayMillis);
    System.out.printf(Locale.ROOT, "max heap (-Xmx)  %,d MiB%n", rt.maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "heap used, peak  %,d MiB (sampled every 10 ms)%n", sampler.peakUsed >> 20);
    System.out.printf(Locale.ROOT, "live, peak       %,d MiB (after a full GC forced every 5 s)%n", sampler.peakLive >> 20);
    System.out.printf(Locale.ROOT, "GC               %,d collections, %,d ms%n", gcCount, gcMillis);
    System.out.printf(Locale.ROOT, "source ahead     at most %,d records read but not yet delivered%n", maxAhead.get());
    System.out.printf(Locale.ROOT, "JVM              %s %s, %d CPUs%n", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), rt.availableProcessors());
    if (report.delivered() != records) {
      System.exit(1);
    }
  }

  /** Samples heap use on a daemon thread. */
  private static final class HeapSampler implements Runnable {
    private volatile boolean running = true;
    private volatile long peakUsed;
    private volatile long peakLive;
    private final Thread thread = new Thread(this, "heap-sampler");

    void start() {
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    @Override
    public void run() {
      Runtime rt = Runtime.getRuntime();
      for (long tick = 1; running; tick++) {
        peakUsed = Math.max(peakUsed, rt.totalMemory() - rt.freeMemory());
        if (tick % 500 == 0) {
          // A full collection every 5 s: what is left is what the pipeline really holds.
          System.gc();
          peakLive = Math.max(peakLive, rt.totalMemory() - rt.freeMemory());
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
