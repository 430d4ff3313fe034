package dev.sluice.jdbc.testing;

/** One embedded PostgreSQL for the whole test run; see {@link ServerExtension}. */
public final class PostgresExtension extends ServerExtension<TestPostgres> {
  public PostgresExtension() {
    super(TestPostgres.class, TestPostgres::start);
  }
}
