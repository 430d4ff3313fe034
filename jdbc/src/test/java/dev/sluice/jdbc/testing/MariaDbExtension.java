package dev.sluice.jdbc.testing;

/** One embedded MariaDB for the whole test run; see {@link ServerExtension}. */
public final class MariaDbExtension extends ServerExtension<TestMariaDb> {
  public MariaDbExtension() {
    super(TestMariaDb.class, TestMariaDb::start);
  }
}
