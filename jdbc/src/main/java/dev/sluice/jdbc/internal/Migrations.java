package dev.sluice.jdbc.internal;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The store's Flyway migrations: the common folder plus the dialect's folder, with column types as
 * placeholders. The history table is {@code sluice_schema_history}, so that Sluice can share a
 * database (and schema) with the host application's own Flyway history. Not API.
 */
public final class Migrations {
  /** Where the migrations live on the class path. */
  public static final String ROOT = "dev/sluice/jdbc/migration";

  private Migrations() {}

  /** Applies the pending migrations; returns how many ran (0 when the schema is current). */
  public static int migrate(DataSource dataSource, Dialect dialect) {
    MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:" + ROOT + "/common", "classpath:" + ROOT + "/" + dialect.migrationFolder())
        .table("sluice_schema_history")
        .placeholders(dialect.migrationPlaceholders())
        // A database that already holds the host's tables: start Sluice's history at version 0.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
    return result.migrationsExecuted;
  }
}
