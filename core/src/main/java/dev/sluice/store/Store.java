package dev.sluice.store;

import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.ClusterSettings;
import java.util.Optional;

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

  /**
   * A coordinator that lets several Sluice nodes share this store's database as one cluster, when
   * the store can offer one (the JDBC store on a database server can; in-memory and embedded
   * stores can't).
   *
   * @throws UnsupportedOperationException naming why this store can't run a cluster
   */
  default ClusterCoordinator clusterCoordinator(ClusterSettings settings) {
    throw new UnsupportedOperationException(this + " can't coordinate a cluster: use the jdbc store on a database"
        + " server all nodes share (PostgreSQL, MySQL or MariaDB)");
  }

  /**
   * The store's memory of accepted webhook deliveries, shared by every store instance on the same
   * data, so that a cluster refuses a replay on any node. Empty when the store has none: webhooks
   * then remember deliveries in each process's memory only.
   */
  default Optional<ReplayCache> replayCache() {
    return Optional.empty();
  }

  /** Releases connections. Idempotent. */
  @Override
  default void close() {}
}
