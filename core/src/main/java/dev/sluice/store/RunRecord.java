package dev.sluice.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.RunStatus;
import java.time.Instant;
import java.util.Objects;

/**
 * One run as kept in the run history.
 *
 * @param id unique run id, never null
 * @param pipeline never null
 * @param trigger what started it, e.g. {@code "api"}, {@code "cron 0 * * * * Europe/Berlin"},
 *     never null
 * @param status never null
 * @param startedAt never null
 * @param finishedAt null while the run is not final
 * @param recordsRead records the connector emitted
 * @param recordsDelivered deliveries acknowledged (a record routed to two destinations counts twice)
 * @param recordsDeadLettered deliveries parked as dead letters, plus rejected input
 * @param details the run report as JSON (per-rule and per-destination counters), never null
 * @param error why the run failed, or null
 * @param owner the Sluice node that runs it (or holds it in its queue), by node id; null for runs
 *     queued in a cluster (any node may claim them) and for runs recorded before owners were
 */
public record RunRecord(
    String id,
    String pipeline,
    String trigger,
    RunStatus status,
    Instant startedAt,
    Instant finishedAt,
    long recordsRead,
    long recordsDelivered,
    long recordsDeadLettered,
    ObjectNode details,
    String error,
    String owner) {

  /**
   * Checks the required components and copies {@code details}.
   *
   * @param id unique run id, never null
   * @param pipeline never null
   * @param trigger what started it, never null
   * @param status never null
   * @param startedAt never null
   * @param finishedAt null while the run is not final
   * @param recordsRead records the connector emitted
   * @param recordsDelivered deliveries acknowledged
   * @param recordsDeadLettered deliveries parked as dead letters, plus rejected input
   * @param details the run report as JSON; null means an empty object
   * @param error why the run failed, or null
   * @param owner the node that runs it, or null
   * @throws NullPointerException when a required component is null
   */
  public RunRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startedAt, "startedAt");
    details = details == null ? JsonNodeFactory.instance.objectNode() : details.deepCopy();
  }

  /**
   * A run without owner.
   *
   * @param id unique run id, never null
   * @param pipeline never null
   * @param trigger what started it, never null
   * @param status never null
   * @param startedAt never null
   * @param finishedAt null while the run is not final
   * @param recordsRead records the connector emitted
   * @param recordsDelivered deliveries acknowledged
   * @param recordsDeadLettered deliveries parked as dead letters, plus rejected input
   * @param details the run report as JSON; null means an empty object
   * @param error why the run failed, or null
   */
  public RunRecord(String id, String pipeline, String trigger, RunStatus status, Instant startedAt,
      Instant finishedAt, long recordsRead, long recordsDelivered, long recordsDeadLettered, ObjectNode details,
      String error) {
    this(id, pipeline, trigger, status, startedAt, finishedAt, recordsRead, recordsDelivered, recordsDeadLettered,
        details, error, null);
  }

  /**
   * A run that just started, without owner.
   *
   * @param id unique run id
   * @param pipeline the pipeline's name
   * @param trigger what started it
   * @param startedAt when it started
   * @return a {@link RunStatus#RUNNING} run with zero counters
   */
  public static RunRecord started(String id, String pipeline, String trigger, Instant startedAt) {
    return started(id, pipeline, trigger, startedAt, null);
  }

  /**
   * A run that just started on node {@code owner}.
   *
   * @param id unique run id
   * @param pipeline the pipeline's name
   * @param trigger what started it
   * @param startedAt when it started
   * @param owner the node id, or null for none
   * @return a {@link RunStatus#RUNNING} run with zero counters
   */
  public static RunRecord started(String id, String pipeline, String trigger, Instant startedAt, String owner) {
    return new RunRecord(
        id, pipeline, trigger, RunStatus.RUNNING, startedAt, null, 0, 0, 0, null, null, owner);
  }

  /**
   * The run report.
   *
   * @return a copy of the run report as JSON, never null
   */
  @Override
  public ObjectNode details() {
    return details.deepCopy();
  }
}
