package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.jdbc.internal.Pools;
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
      "sluice_secrets", "sluice_checkpoints", "sluice_dead_letters", "sluice_webhook_replays", "sluice_schema_history");

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
        assertThat(notMigrated.migrate()).isEqualTo(6);
      }
      try (JdbcStore store = JdbcStore.open(options().build()); HikariDataSource ds = pool()) {
        Set<String> before = tables(ds);
        assertThat(before).containsExactlyInAnyOrderElementsOf(TABLES);
        assertThat(store.migrate()).as("a current schema").isZero();
        assertThat(tables(ds)).isEqualTo(before);
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
