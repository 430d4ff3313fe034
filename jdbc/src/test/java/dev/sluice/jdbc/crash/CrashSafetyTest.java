package dev.sluice.jdbc.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.DeadLetterQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Connect style crash test: a child JVM runs a sequence-numbered source into PostgreSQL
 * (upsert by sequence number) and is killed with SIGKILL at random points, ten times, restarted
 * each time; the last run finishes. Afterwards every sequence number is in the table exactly once:
 * the checkpoint never passed an unacknowledged record (nothing lost), and re-delivered records
 * were upserts (nothing doubled).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
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
      long before = rows(url);
      Process child = start(url, "run-" + i);
      // Kill once the child is writing (JVM start-up takes most of a second), at a random point.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (rows(url) == before && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      if (!child.waitFor(random.nextInt(400), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally, no flush
        child.waitFor();
        killed++;
      }
      rowsAfterKill.add(rows(url));
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
