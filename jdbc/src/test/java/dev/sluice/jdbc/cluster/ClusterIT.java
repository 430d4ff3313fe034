package dev.sluice.jdbc.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.Sluice;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.jdbc.testing.TcpProxy;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Batch;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.schedule.CronSyntax;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.RunHandle;
import dev.sluice.spi.Connector;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.store.RunRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Sluice nodes on one embedded PostgreSQL, coordinated by db-scheduler: every run and every
 * cron time exactly once, and a node cut off from the database mid-run has its run finished by
 * another node from the last checkpoint.
 */
@Timeout(240)
class ClusterIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static String database;

  private final ConcurrentLinkedQueue<String> apiRuns = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> cronTimes = new ConcurrentLinkedQueue<>();
  private final List<String> delivered = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void schema() {
    database = PG.server().createDatabase();
    try (HikariDataSource ds = pool(PG.server().port(), "migrate")) {
      JdbcStore.forDataSource(ds, Clock.systemUTC()).migrate();
    }
  }

  static HikariDataSource pool(int port, String name) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + database);
    c.setUsername("postgres");
    c.setMaximumPoolSize(8);
    c.setConnectionTimeout(2_000);
    c.setPoolName("node-" + name);
    return new HikariDataSource(c);
  }

  /** One node: its own pool, store, coordinator and Sluice, the same pipelines as every node. */
  final class Node implements AutoCloseable {
    final String name;
    final HikariDataSource pool;
    final Sluice sluice;

    Node(String name, int port, Function<String, Connector> longSource) {
      this.name = name;
      this.pool = pool(port, name);
      DbSchedulerCoordinator coordinator = DbSchedulerCoordinator.builder(pool).nodeName(name).threads(4)
          .pollingInterval(Duration.ofMillis(100)).heartbeat(Duration.ofMillis(500), 4).build();
      Destination sink = new Destination() {
        @Override
        public DeliveryResult deliver(Batch batch) {
          for (int i = 0; i < batch.size(); i++) {
            delivered.add(batch.get(i).key());
          }
          return DeliveryResult.success();
        }
      };
      this.sluice = Sluice.builder().store(JdbcStore.forDataSource(pool, Clock.systemUTC())).cluster(coordinator)
          .heartbeat(Duration.ofMillis(500), 4)
          .destination("sink", sink)
          .pipeline("api", p -> p.overlap(OverlapPolicy.ALLOW)
              .source((Connector) (ctx, from, emitter) -> apiRuns.add(ctx.runId() + "@" + name)))
          .pipeline("tick", p -> p.trigger(CronTrigger.builder("* * * * * ?").syntax(CronSyntax.QUARTZ).build())
              .source((Connector) (ctx, from, emitter) ->
                  cronTimes.add(ctx.parameters().path("scheduledFor").asText() + "@" + name)))
          .pipeline("long", p -> p.source(longSource.apply(name)).route(r -> r.to("sink")))
          .build();
    }

    Node start() {
      sluice.start();
      return this;
    }

    @Override
    public void close() {
      sluice.close();
      pool.close();
    }
  }

  /** Records k1..kCount, a checkpoint every 10; blocks after {@code blockAfter} records when it runs on {@code blockOn}. */
  static Connector longSource(String node, String blockOn, long count, long blockAfter, CountDownLatch blocked,
      List<Checkpoint> startedFrom) {
    return (ctx, from, emitter) -> {
      startedFrom.add(from);
      long start = from == null ? 1 : from.state().path("next").asLong();
      for (long i = start; i <= count; i++) {
        if (node.equals(blockOn) && i > blockAfter) {
          blocked.countDown();
          new CountDownLatch(1).await(); // this node is about to die; it never reads on
        }
        emitter.emit(Record.of("k" + i, JsonNodeFactory.instance.objectNode().put("i", i)));
        if (i % 10 == 0) {
          emitter.checkpoint(Checkpoint.of("next", i + 1));
        }
      }
    };
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void everyRunAndEveryCronTimeRunsExactlyOnceAcrossThreeNodes() throws Exception {
    List<Checkpoint> ignored = new CopyOnWriteArrayList<>();
    Function<String, Connector> plain = n -> longSource(n, "", 0, 0, new CountDownLatch(1), ignored);
    List<RunHandle> handles = new ArrayList<>();
    Instant cronFrom;
    try (Node a = new Node("a", PG.server().port(), plain); Node b = new Node("b", PG.server().port(), plain);
        Node c = new Node("c", PG.server().port(), plain)) {
      List<Node> nodes = List.of(a.start(), b.start(), c.start());
      cronFrom = Instant.now();
      for (int i = 0; i < 1000; i++) {
        handles.add(nodes.get(i % 3).sluice.trigger("api"));
      }
      await("1,000 runs executed", Duration.ofSeconds(120), () -> apiRuns.size() >= 1000);
      long left = Duration.between(Instant.now(), cronFrom.plusSeconds(30)).toMillis();
      if (left > 0) {
        Thread.sleep(left); // the per-second cron runs for 30 s of real time
      }
      for (RunHandle h : handles) {
        assertThat(h.await(Duration.ofSeconds(30))).as("run %s", h.id())
            .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED));
      }
    }

    List<String> ids = apiRuns.stream().map(s -> s.substring(0, s.indexOf('@'))).toList();
    assertThat(ids).hasSize(1000).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(handles.stream().map(RunHandle::id).toList());
    Set<String> workers = new HashSet<>();
    apiRuns.forEach(s -> workers.add(s.substring(s.indexOf('@') + 1)));
    assertThat(workers).as("the nodes share the work").hasSizeGreaterThan(1);

    List<Instant> times = cronTimes.stream().map(s -> Instant.parse(s.substring(0, s.indexOf('@')))).sorted().toList();
    assertThat(times).as("each second once").doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(28);
    assertThat(Duration.between(times.get(0), times.get(times.size() - 1)).toSeconds())
        .as("and no second missed between the first and the last").isEqualTo(times.size() - 1);
  }

  @Test
  void aNodeCutOffMidRunHasItsRunFinishedElsewhereFromTheCheckpoint() throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    List<Checkpoint> startedFrom = new CopyOnWriteArrayList<>();
    Function<String, Connector> source = n -> longSource(n, "victim", 200, 45, blocked, startedFrom);
    JdbcStore observer = JdbcStore.forDataSource(PG.server().dataSource(database), Clock.systemUTC());
    try (TcpProxy proxy = new TcpProxy(PG.server().port())) {
      Node victim = new Node("victim", proxy.port(), source).start();
      try {
        RunHandle handle = victim.sluice.trigger("long");
        blocked.await();
        await("the victim committed checkpoint 41", Duration.ofSeconds(30), () -> observer.checkpoints().load("long")
            .map(cp -> cp.state().path("next").asLong() == 41).orElse(false));

        try (Node a = new Node("a", PG.server().port(), source).start();
            Node b = new Node("b", PG.server().port(), source).start()) {
          proxy.cutOff(); // the victim loses the database mid-run: no heartbeats, no more writes
          await("another node finished the run", Duration.ofSeconds(90), () -> observer.runs().find(handle.id())
              .map(r -> r.status() == RunStatus.SUCCEEDED).orElse(false));
        }
        RunRecord run = observer.runs().find(handle.id()).orElseThrow();
        assertThat(run.recordsRead()).as("the restarted run read from the checkpoint on").isEqualTo(160);
        assertThat(run.owner()).isIn("a", "b");
        assertThat(run.details().path("resumedAfter").asText()).as("it says it resumed the interrupted attempt")
            .isEqualTo(handle.id());
        assertThat(run.details().path("notes").get(0).asText())
            .startsWith("an earlier attempt of this run on node victim was interrupted");
        assertThat(startedFrom).containsExactly(null, Checkpoint.of("next", 41));
        assertThat(new HashSet<>(delivered)).as("every record arrived")
            .containsAll(LongStream.rangeClosed(1, 200).mapToObj(i -> "k" + i).toList());
      } finally {
        victim.close(); // its reader is interrupted; with the database gone, it writes nothing more
      }
    }
  }
}
