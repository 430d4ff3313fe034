package dev.sluice.store;

/**
 * Where Sluice keeps state: checkpoints, run history, dead letters, users and API keys, secrets
 * and stored configurations.
 *
 * <p>Implementations: {@link InMemoryStore} in core (state is lost with the process), the JDBC
 * store in {@code sluice-jdbc} (embedded H2 by default, PostgreSQL for production and clusters).
 * Every implementation passes the {@code StoreContract} of {@code sluice-testkit}.
 *
 * <p>Thread-safety: all parts are safe for concurrent use. Two store instances on the same
 * database see each other's writes.
 */
public interface Store extends AutoCloseable {

  CheckpointStore checkpoints();

  RunStore runs();

  DeadLetterStore deadLetters();

  UserStore users();

  SecretStore secrets();

  PipelineStore pipelines();

  /** Releases connections. Idempotent. */
  @Override
  default void close() {}
}
