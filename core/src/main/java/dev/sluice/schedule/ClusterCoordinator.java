package dev.sluice.schedule;

/**
 * Shares one Sluice's scheduling with the other nodes of a cluster that run the same definition on
 * one database. Set with {@code Sluice.builder().cluster(...)}; without one, Sluice schedules
 * everything in its own process. The {@code sluice-jdbc} module implements it on db-scheduler.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>After {@link #start}, every time of every cron trigger of {@link ClusterNode#cronTriggers()}
 *       is handed to {@link ClusterNode#fireCron} on exactly one node of the cluster.
 *   <li>Every {@link #enqueue}d request is handed to {@link ClusterNode#execute} on exactly one
 *       node, whichever claims it first. When that node dies mid-run (its heartbeats stop), or
 *       {@code execute} throws {@link NodeStoppingException}, another node is handed the same
 *       request again; the run then continues from its last committed checkpoint.
 *   <li>{@link #close()} stops firing and claiming; the node's own runs are stopped by Sluice.
 * </ul>
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public interface ClusterCoordinator extends AutoCloseable {

  /**
   * Begins firing cron times and claiming requests for {@code node}. Called once, by {@code
   * Sluice.start()}.
   *
   * @param node the local Sluice, to run what the cluster hands it
   */
  void start(ClusterNode node);

  /**
   * Records a request durably, for some node to run. Returns at once.
   *
   * @param request the run to record; its run id is already assigned
   * @throws dev.sluice.SluiceException when it can't be recorded (the database is down)
   */
  void enqueue(RunRequest request);

  /**
   * Takes back a request no node has claimed yet; false when it was claimed or is unknown.
   *
   * @param runId the id of the request
   * @return true when the request was taken back and will not run
   */
  boolean withdraw(String runId);

  /**
   * This node's name in the cluster, which Sluice also uses as its node id (the owner of the runs
   * it starts); empty to let Sluice make one.
   *
   * @return the configured node name, or empty (the default)
   */
  default java.util.Optional<String> nodeName() {
    return java.util.Optional.empty();
  }

  /** Stops firing and claiming. Idempotent. */
  @Override
  void close();
}
