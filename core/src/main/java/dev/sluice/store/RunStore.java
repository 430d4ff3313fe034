package dev.sluice.store;

import dev.sluice.pipeline.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Run history, and the heartbeats of the Sluice nodes that run them.
 *
 * <p>Every Sluice instance is a node with an id; it records a heartbeat here at a fixed interval
 * and owns the runs it starts ({@link RunRecord#owner()}). A run whose owner's heartbeat has gone
 * stale was left behind by a process that stopped without finishing it: {@link #orphans} finds
 * such runs, {@link #replace} ends them (as {@link RunStatus#INTERRUPTED}) unless they changed in
 * between.
 *
 * <p>Thread-safety: safe for concurrent use, also from several processes sharing the store.
 */
public interface RunStore {

  /**
   * Inserts the run, or replaces the stored run with the same id.
   *
   * @param run the run, never null
   */
  void save(RunRecord run);

  /**
   * The run with this id.
   *
   * @param runId the id, as in {@link RunRecord#id()}
   * @return the run, or empty when there is none
   */
  Optional<RunRecord> find(String runId);

  /**
   * Runs, newest start first.
   *
   * @param pipeline only this pipeline's runs, or null for all
   * @param limit at most this many, at least 1
   * @return the runs, never null
   */
  List<RunRecord> list(String pipeline, int limit);

  /**
   * Replaces the stored run with the same id as {@code run}, only if the stored one still has
   * {@code expectedStatus} and {@code expectedOwner} (null matching a run without owner), as one
   * compare-and-set.
   *
   * @param run the new state of the run, never null
   * @param expectedStatus the status the stored run must still have
   * @param expectedOwner the owner the stored run must still have, or null for none
   * @return whether it was replaced
   */
  boolean replace(RunRecord run, RunStatus expectedStatus, String expectedOwner);

  /**
   * Records that node {@code node} is alive at {@code at}.
   *
   * @param node the node id
   * @param at when it was alive
   */
  void heartbeat(String node, Instant at);

  /**
   * Forgets node {@code node}'s heartbeat (it stopped cleanly). Unknown nodes are ignored.
   *
   * @param node the node id
   */
  void removeNode(String node);

  /**
   * Forgets the heartbeats older than {@code before}: nodes that stopped without saying so.
   *
   * @param before the cut-off, exclusive
   * @return how many were forgotten
   */
  int removeNodesSilentSince(Instant before);

  /**
   * Runs no live node is running: {@link RunStatus#RUNNING} or {@link RunStatus#QUEUED} runs whose
   * owner has no heartbeat at or after {@code aliveSince}, and {@code RUNNING} runs without owner
   * (recorded before owners were). Queued runs without owner are a cluster's, which any node may
   * still claim, and are not orphans.
   *
   * @param aliveSince heartbeats at or after this instant count as alive
   * @return the orphaned runs, never null
   */
  List<RunRecord> orphans(Instant aliveSince);
}
