package dev.sluice.jdbc.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Connect style crash test: a child JVM runs a sequence-numbered source into PostgreSQL
 * (upsert by sequence number) and is killed with SIGKILL at random points (each after it committed
 * a checkpoint), ten times, restarted each time; the last run finishes. Afterwards every sequence
 * number is in the table exactly once: the checkpoint never passed an unacknowledged record
 * (nothing lost), and re-delivered records were upserts (nothing doubled). And no run is left
 * {@code RUNNING}: each killed run was ended {@code INTERRUPTED} by the next process at its
 * start-up (once the killed node's heartbeat had expired), and the run after it names it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CrashSafetyTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final long RECORDS = 50_000;
  private static final int KILLS = 10;

  @TempDir Path dir;

  @Test
  void killedTenTimesMidRunEverySequenceNumberEndsUpExactlyOnce() throws Exception {
    String url = PG.server().jdbcUrl(PG.server().createDatabase());
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<Long> rowsAfterKill = new ArrayList<>();
    int killed = 0;
    for (int i = 1; i <= KILLS; i++) {
      String before = checkpointPosition(url);
      Process child = start(url, "run-" + i);
      // Kill once the child has committed a checkpoint (JVM start-up takes most of a second), at a
      // random point after that.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (checkpointPosition(url).equals(before) && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      if (!child.waitFor(random.nextInt(400), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally, no flush
        child.waitFor();
        killed++;
      }
      rowsAfterKill.add(rows(url));
      // The killed node's heartbeat expires before the next process starts, so that process finds
      // the killed run at its start-up.
      Thread.sleep(SequenceRun.HEARTBEAT.multipliedBy(SequenceRun.MISSED_HEARTBEATS + 2).toMillis());
    }
    Process last = start(url, "final");
    assertThat(last.waitFor(2, TimeUnit.MINUTES)).as("the final run finishes").isTrue();
    assertThat(last.exitValue()).as("the final run succeeds; see " + dir.resolve("final.log")).isZero();

    String why = "seed " + seed + ", rows after each kill " + rowsAfterKill;
    System.out.println("crash test: " + why + "; final run: " + Files.readString(dir.resolve("final.log")).lines()
        .filter(l -> l.contains("records read")).findFirst().orElse("?").trim());
    assertThat(killed).as("every child was killed, none finished: " + why).isEqualTo(KILLS);
    assertThat(rowsAfterKill).as("every kill landed in the middle of the work: " + why)
        .allSatisfy(n -> assertThat(n).isBetween(1L, RECORDS - 1));
    try (Connection c = connect(url); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT seq), min(seq), max(seq),"
            + " count(*) FILTER (WHERE payload <> 'p' || seq) FROM " + SequenceRun.TABLE)) {
      r.next();
      assertThat(r.getLong(1)).as("rows; " + why).isEqualTo(RECORDS);
      assertThat(r.getLong(2)).as("distinct sequence numbers").isEqualTo(RECORDS);
      assertThat(r.getLong(3)).isEqualTo(1);
      assertThat(r.getLong(4)).isEqualTo(RECORDS);
      assertThat(r.getLong(5)).as("rows with a wrong payload").isZero();
    }
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(url).username("postgres").build())) {
      List<RunRecord> runs = new ArrayList<>(store.runs().list(SequenceRun.PIPELINE, 100));
      Collections.reverse(runs); // oldest first
      assertThat(runs).as("one run per process; " + why).hasSize(KILLS + 1);
      assertThat(runs).as("no run is left RUNNING").noneMatch(r -> r.status() == RunStatus.RUNNING);
      assertThat(runs.subList(0, KILLS)).as("every killed run ended INTERRUPTED, found by the next process")
          .allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
            assertThat(r.error()).contains("stopped without finishing").contains("found at start-up of node");
            assertThat(r.finishedAt()).isNotNull();
          });
      assertThat(runs.get(KILLS).status()).isEqualTo(RunStatus.SUCCEEDED);
      for (int i = 1; i <= KILLS; i++) {
        assertThat(runs.get(i).details().path("resumedAfter").asText())
            .as("run %d resumes from the checkpoint of killed run %d", i + 1, i).isEqualTo(runs.get(i - 1).id());
      }
    }
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(url).username("postgres").build())) {
      assertThat(store.checkpoints().load(SequenceRun.PIPELINE)).contains(Checkpoint.of("next", RECORDS + 1));
      assertThat(store.deadLetters().count(DeadLetterQuery.all())).as("nothing was given up on").isZero();
    }
  }

  private Process start(String url, String name) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        SequenceRun.class.getName(), url, String.valueOf(RECORDS))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }

  /** The stored checkpoint's version and run, or "" when none. */
  private static String checkpointPosition(String url) throws SQLException {
    try (Connection c = connect(url); Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT version, run_id FROM sluice_checkpoints WHERE pipeline = '"
          + SequenceRun.PIPELINE + "'")) {
        return r.next() ? r.getLong(1) + "/" + r.getString(2) : "";
      } catch (SQLException tableNotYetCreated) {
        return "";
      }
    }
  }

  private static long rows(String url) throws SQLException {
    try (Connection c = connect(url); Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + SequenceRun.TABLE)) {
        r.next();
        return r.getLong(1);
      } catch (SQLException tableNotYetCreated) {
        return 0;
      }
    }
  }

  private static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, "postgres", "");
  }
}
