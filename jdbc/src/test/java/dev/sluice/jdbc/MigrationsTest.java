package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.jdbc.internal.Dialect;
import dev.sluice.jdbc.internal.Jdbc;
import dev.sluice.jdbc.internal.Migrations;
import dev.sluice.jdbc.internal.Pools;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.RunRecord;
import dev.sluice.store.StoredCheckpoint;
import dev.sluice.jdbc.testing.MariaDbExtension;
import dev.sluice.jdbc.testing.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Migrations create every table once, are a no-op when run again, and suit db-scheduler. */
class MigrationsTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  @RegisterExtension static final MariaDbExtension MARIADB = new MariaDbExtension();

  private static final Set<String> TABLES = Set.of("sluice_pipelines", "sluice_destinations",
      "sluice_rules", "sluice_runs", "scheduled_tasks", "sluice_users", "sluice_api_keys",
      "sluice_secrets", "sluice_checkpoints", "sluice_dead_letters", "sluice_nodes", "sluice_secret_keys",
      "sluice_webhook_replays", "sluice_sent_log", "sluice_signing_keys", "sluice_refresh_tokens",
      "sluice_login_failures", "sluice_roles", "sluice_audit_log",
      "sluice_schema_history");

  abstract static class Contract {
    abstract String url();

    String user() {
      return null;
    }

    private JdbcStoreOptions.Builder options() {
      return JdbcStoreOptions.builder().url(url()).username(user());
    }

    private HikariDataSource pool() {
      JdbcStoreOptions o = options().build();
      return Pools.create("test", o.url(), o.username(), null, 2, Duration.ofSeconds(10), true, Map.of());
    }

    @Test
    void openingMigratesOnceAndMigratingAgainChangesNothing() throws Exception {
      try (JdbcStore notMigrated = JdbcStore.open(options().migrate(false).build());
          HikariDataSource ds = pool()) {
        assertThat(tables(ds)).as("migrate(false) leaves the database alone").isEmpty();
        assertThat(notMigrated.migrate()).isEqualTo(10);
      }
      try (JdbcStore store = JdbcStore.open(options().build()); HikariDataSource ds = pool()) {
        Set<String> before = tables(ds);
        assertThat(before).containsExactlyInAnyOrderElementsOf(TABLES);
        assertThat(store.migrate()).as("a current schema").isZero();
        assertThat(tables(ds)).isEqualTo(before);
      }
    }

    @Test
    void version6KeepsExistingCheckpointsAsVersion1AndRunsWithoutOwner() throws Exception {
      try (JdbcStore store = JdbcStore.open(options().migrate(false).build()); HikariDataSource ds = pool()) {
        Dialect dialect;
        try (Connection c = ds.getConnection()) {
          dialect = Dialect.of(c);
        }
        Flyway.configure(Migrations.class.getClassLoader()).dataSource(ds)
            .locations("classpath:" + Migrations.ROOT + "/common",
                "classpath:" + Migrations.ROOT + "/" + dialect.migrationFolder())
            .table("sluice_schema_history").placeholders(dialect.migrationPlaceholders())
            .baselineOnMigrate(true).baselineVersion("0").target("5").load().migrate();
        Jdbc jdbc = new Jdbc(ds, dialect);
        jdbc.update(() -> "old checkpoint", "INSERT INTO sluice_checkpoints (pipeline, state, run_id, committed_at)"
            + " VALUES (?, ?, ?, ?)", "orders", "{\"next\":7}", "old-run", Instant.parse("2026-01-01T00:00:00Z"));
        jdbc.update(() -> "old run", "INSERT INTO sluice_runs (id, pipeline, run_trigger, status, started_at,"
            + " records_read, records_delivered, records_dead_lettered, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "old-run", "orders", "api", "RUNNING", Instant.parse("2026-01-01T00:00:00Z"), 6L, 6L, 0L, "{}");

        assertThat(store.migrate()).as("V6 to V10").isEqualTo(5);

        assertThat(store.checkpoints().position("orders")).contains(
            new StoredCheckpoint(Checkpoint.of("next", 7), 1, "old-run"));
        assertThat(store.runs().find("old-run").orElseThrow().owner()).isNull();
        assertThat(store.runs().orphans(Instant.parse("2026-06-01T00:00:00Z"))).extracting(RunRecord::id)
            .containsExactly("old-run");
        assertThat(store.checkpoints().commit("orders", Checkpoint.of("next", 9),
            new StoredCheckpoint(Checkpoint.of("next", 7), 1, "old-run"), RunRecord.started("new-run", "orders", "api",
                Instant.parse("2026-06-01T00:00:00Z")))).hasValueSatisfying(p -> assertThat(p.version()).isEqualTo(2));
      }
    }

    @Test
    void dbSchedulerRunsATaskOnTheScheduledTasksTable() throws Exception {
      try (JdbcStore store = JdbcStore.open(options().build()); HikariDataSource ds = pool()) {
        CountDownLatch ran = new CountDownLatch(1);
        OneTimeTask<Void> task = Tasks.oneTime("sluice-probe").execute((instance, context) -> ran.countDown());
        Scheduler scheduler = Scheduler.create(ds, task).threads(1)
            .pollingInterval(Duration.ofMillis(100)).build();
        try {
          scheduler.start();
          scheduler.schedule(task.instance("one"), Instant.now());
          assertThat(ran.await(30, TimeUnit.SECONDS)).as("db-scheduler executed the task").isTrue();
        } finally {
          scheduler.stop();
        }
      }
    }
  }

  static Set<String> tables(DataSource ds) throws Exception {
    Set<String> names = new TreeSet<>();
    try (Connection c = ds.getConnection()) {
      DatabaseMetaData meta = c.getMetaData();
      try (ResultSet rs = meta.getTables(c.getCatalog(), null, "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          String schema = rs.getString("TABLE_SCHEM");
          if (schema == null || schema.equalsIgnoreCase("public")) {
            names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
    }
    return names;
  }

  @Nested
  class OnH2 extends Contract {
    @TempDir Path dir;

    @Override
    String url() {
      return "jdbc:h2:file:" + dir.resolve("sluice");
    }
  }

  @Nested
  class OnPostgres extends Contract {
    private final String url = PG.server().jdbcUrl(PG.server().createDatabase());

    @Override
    String url() {
      return url;
    }

    @Override
    String user() {
      return "postgres";
    }
  }

  @Nested
  class OnMariaDb extends Contract {
    private final String url = MARIADB.server().jdbcUrl(MARIADB.server().createDatabase());

    @Override
    String url() {
      return url;
    }

    @Override
    String user() {
      return "root";
    }
  }
}
