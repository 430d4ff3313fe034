package dev.sluice.jdbc.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded PostgreSQL for the whole test run, started by the first test class that needs it
 * and stopped when JUnit finishes. Register it in a test class with
 * {@code @RegisterExtension static final PostgresExtension PG = new PostgresExtension();} and use
 * {@link #server()} from then on.
 */
public final class PostgresExtension implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  private volatile TestPostgres server;

  @Override
  public void beforeAll(ExtensionContext context) {
    Holder holder = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Holder.class, k -> new Holder(TestPostgres.start()), Holder.class);
    server = holder.server;
  }

  public TestPostgres server() {
    if (server == null) {
      throw new IllegalStateException("PostgresExtension must be registered with @RegisterExtension on a static field");
    }
    return server;
  }

  /** JUnit closes AutoCloseable values of the root store when the run ends. */
  private static final class Holder implements AutoCloseable {
    final TestPostgres server;

    Holder(TestPostgres server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
