package dev.sluice.benchmarks;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.Sluice;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.cluster.DbSchedulerCoordinator;
import dev.sluice.jdbc.testing.TestPostgres;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.spi.Connector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Cluster throughput: 3 Sluice nodes on one PostgreSQL, each with 4 run threads, executing N
 * queued runs of a pipeline whose connector emits nothing (so what is measured is scheduling: the
 * shared table, claiming, heartbeats, run history); and, side by side on the same database, 3 bare
 * db-scheduler instances executing N no-op one-time tasks.
 *
 * <p>Not JMH: one measurement is "how long until N runs are done", minutes of wall time on a real
 * database. Starts its own embedded PostgreSQL ({@code fsync=off}, as the store's tests do).
 *
 * <p>Run: {@code java -Xmx2g -cp benchmarks/target/benchmarks.jar
 * dev.sluice.benchmarks.ClusterThroughputHarness [runs]}
 */
public final class ClusterThroughputHarness {
  private ClusterThroughputHarness() {}

  /** @param args how many runs (default 20000) */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    System.out.printf(Locale.ROOT, "%d runs on 3 nodes x 4 threads, Java %s, %d cores%n", runs,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    try (TestPostgres postgres = TestPostgres.start()) {
      measure(postgres.jdbcUrl(postgres.createDatabase()), runs);
    }
    System.exit(0); // db-scheduler's and Hikari's housekeeping threads
  }

  private static void measure(String url, int runs) throws Exception {
    try (HikariDataSource admin = pool(url, "admin", 4)) {
      JdbcStore.forDataSource(admin, Clock.systemUTC()).migrate();
      System.out.printf(Locale.ROOT, "db-scheduler alone: %.0f executions/s%n", bare(admin, url, runs));
      clear(admin);
      System.out.printf(Locale.ROOT, "Sluice cluster:     %.0f runs/s%n", sluice(admin, url, runs));
    }
  }

  static HikariDataSource pool(String url, String name, int size) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setUsername("postgres");
    c.setMaximumPoolSize(size);
    c.setPoolName(name);
    return new HikariDataSource(c);
  }

  private static void clear(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM scheduled_tasks");
    }
  }

  private static long count(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static double bare(DataSource admin, String url, int n) throws Exception {
    AtomicLong done = new AtomicLong();
    OneTimeTask<Void> task = Tasks.oneTime("noop").execute((inst, ctx) -> done.incrementAndGet());
    SchedulerClient client = SchedulerClient.Builder.create(admin, task).build();
    List<TaskInstance<?>> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(task.instance("t" + i));
    }
    client.scheduleBatch(batch, Instant.now());
    List<HikariDataSource> pools = new ArrayList<>();
    List<Scheduler> nodes = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      HikariDataSource p = pool(url, "bare-" + i, 8);
      pools.add(p);
      Scheduler s = Scheduler.create(p, task).threads(4).pollingInterval(Duration.ofMillis(100))
          .schedulerName(new SchedulerName.Fixed("bare-" + i)).build(); // default polling, as the coordinator
      s.start();
      nodes.add(s);
    }
    while (done.get() < n) {
      Thread.sleep(10);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    nodes.forEach(Scheduler::stop);
    pools.forEach(HikariDataSource::close);
    return n / seconds;
  }

  private static double sluice(DataSource admin, String url, int n) throws Exception {
    List<HikariDataSource> pools = new ArrayList<>();
    List<Sluice> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HikariDataSource p = pool(url, "node-" + i, 10);
      pools.add(p);
      nodes.add(Sluice.builder().store(JdbcStore.forDataSource(p, Clock.systemUTC()))
          .meterRegistry(new SimpleMeterRegistry())
          .cluster(DbSchedulerCoordinator.builder(p).nodeName("node-" + i).threads(4)
              .pollingInterval(Duration.ofMillis(100)).build())
          .pipeline("noop", pp -> pp.overlap(OverlapPolicy.ALLOW).source((Connector) (ctx, from, emitter) -> {}))
          .build());
    }
    for (int i = 0; i < n; i++) {
      nodes.get(i % 3).trigger("noop");
    }
    long t0 = System.nanoTime();
    nodes.forEach(Sluice::start);
    while (count(admin, "SELECT count(*) FROM sluice_runs WHERE status = 'SUCCEEDED'") < n) {
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    nodes.forEach(Sluice::close);
    pools.forEach(HikariDataSource::close);
    return n / seconds;
  }
}
