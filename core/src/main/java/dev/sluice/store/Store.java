package dev.sluice.store;

import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.ClusterSettings;
import java.util.Optional;

/**
 * Where Sluice keeps state.
 *
 * <p><b>Required parts</b>, which the engine needs to run any pipeline: {@link #checkpoints()},
 * {@link #runs()} and {@link #deadLetters()}.
 *
 * <p><b>Optional capabilities</b>, which a store offers only if it can keep that kind of data; a
 * feature that needs one that is missing fails with a {@link MissingStoreCapabilityException}
 * naming the store and the capability:
 *
 * <ul>
 *   <li>{@link #secrets()}: encrypted secrets, for {@code ${secret:…}} values in configurations and
 *       {@code sluice secret};
 *   <li>{@link #users()}: local users and API keys, for the server's built-in authentication;
 *   <li>{@link #pipelines()}: stored pipeline, destination and rule documents, for configuration
 *       managed through the REST API;
 *   <li>{@link #authState()}: signing keys, refresh tokens and failed-login counts of local
 *       authentication;
 *   <li>{@link #roles()}: custom roles for role-based access control;
 *   <li>{@link #auditLog()}: who logged in and who changed users, roles, keys and secrets;
 *   <li>{@link #clusterCoordinator}: running several nodes as one cluster;
 *   <li>{@link #sentLog()}: notifications already sent, so that Slack and email destinations do not
 *       notify twice after a retry, a replay or a restart.
 * </ul>
 *
 * <p>Implementations: {@link InMemoryStore} in core (every capability but clustering; state is lost
 * with the process), the JDBC store in {@code sluice-jdbc} (all of them). Every implementation passes
 * the {@code StoreContract} of {@code sluice-testkit}, and the contract of each capability it offers.
 *
 * <p>Thread-safety: all parts are safe for concurrent use. Two store instances on the same
 * database see each other's writes.
 */
public interface Store extends AutoCloseable {

  /**
   * Required: the position of each pipeline.
   *
   * @return the checkpoint store, never null
   */
  CheckpointStore checkpoints();

  /**
   * Required: run history.
   *
   * @return the run store, never null
   */
  RunStore runs();

  /**
   * Required: records that could not be delivered.
   *
   * @return the dead-letter store, never null
   */
  DeadLetterStore deadLetters();

  /**
   * Optional: local users and API keys.
   *
   * @return the user store; empty (the default) when this store keeps none
   */
  default Optional<UserStore> users() {
    return Optional.empty();
  }

  /**
   * Optional: signing keys, refresh tokens and failed-login counts of local authentication.
   *
   * @return the authentication state; empty (the default) when this store keeps none
   */
  default Optional<AuthStateStore> authState() {
    return Optional.empty();
  }

  /**
   * Optional: custom roles.
   *
   * @return the role store; empty (the default) when this store keeps none
   */
  default Optional<RoleStore> roles() {
    return Optional.empty();
  }

  /**
   * Optional: the audit log.
   *
   * @return the audit log; empty (the default) when this store keeps none
   */
  default Optional<AuditLog> auditLog() {
    return Optional.empty();
  }

  /**
   * Optional: encrypted secrets.
   *
   * @return the secret store; empty (the default) when this store keeps none
   */
  default Optional<SecretStore> secrets() {
    return Optional.empty();
  }

  /**
   * Optional: stored configuration documents.
   *
   * @return the pipeline store; empty (the default) when this store keeps none
   */
  default Optional<PipelineStore> pipelines() {
    return Optional.empty();
  }

  /**
   * A coordinator that lets several Sluice nodes share this store's database as one cluster, when
   * the store can offer one (the JDBC store on a database server can; in-memory and embedded
   * stores can't).
   *
   * @param settings this node's cluster settings
   * @return a coordinator on this store's database
   * @throws UnsupportedOperationException naming why this store can't run a cluster
   */
  default ClusterCoordinator clusterCoordinator(ClusterSettings settings) {
    throw new UnsupportedOperationException(this + " can't coordinate a cluster: use the jdbc store on a database"
        + " server all nodes share (PostgreSQL, MySQL or MariaDB)");
  }

  /**
   * The store's memory of accepted webhook deliveries, shared by every store instance on the same
   * data, so that a cluster refuses a replay on any node.
   *
   * @return the replay cache; empty (the default) when the store has none: webhooks then remember
   *     deliveries in each process's memory only
   */
  default Optional<ReplayCache> replayCache() {
    return Optional.empty();
  }

  /**
   * The store's log of notifications already sent (see {@link SentLog}), shared by every store
   * instance on the same data.
   *
   * @return the sent log; empty (the default) when the store keeps none: destinations that need it
   *     then fail with a {@link MissingStoreCapabilityException} unless told not to de-duplicate
   */
  default Optional<SentLog> sentLog() {
    return Optional.empty();
  }

  /** Releases connections. Idempotent. */
  @Override
  default void close() {}
}
