package dev.sluice.jdbc.testing;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded database server of a kind for the whole test run, started by the first test class
 * that needs it and stopped when JUnit finishes. Register a subclass in a test class with
 * {@code @RegisterExtension static final PostgresExtension PG = new PostgresExtension();} and use
 * {@link #server()} from then on.
 */
abstract class ServerExtension<S extends AutoCloseable> implements BeforeAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ServerExtension.class);

  private final Class<S> type;
  private final Supplier<S> starter;
  private volatile S server;

  ServerExtension(Class<S> type, Supplier<S> starter) {
    this.type = type;
    this.starter = starter;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // JUnit closes AutoCloseable values of the root store when the run ends.
    server = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(type, k -> starter.get(), type);
  }

  public S server() {
    if (server == null) {
      throw new IllegalStateException(getClass().getSimpleName() + " must be registered with @RegisterExtension on a static field");
    }
    return server;
  }
}
