package dev.sluice.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A run asked for, as it travels between the nodes of a cluster: enough for any node to run it.
 *
 * @param runId the run's id, fixed when requested; a node that restarts the run of a dead node
 *     keeps it
 * @param pipeline the pipeline's name; every node defines the same pipelines
 * @param kind {@code api}, {@code cron}, {@code webhook} or {@code plugin}
 * @param trigger what asked, as kept in the run history
 * @param parameters the connector's run parameters
 * @param requestedAt when it was asked for
 */
public record RunRequest(
    String runId, String pipeline, String kind, String trigger, JsonNode parameters, Instant requestedAt) {
  /**
   * Checks the components.
   *
   * @param runId the run's id, fixed when requested; a node that restarts the run of a dead node
   *     keeps it
   * @param pipeline the pipeline's name; every node defines the same pipelines
   * @param kind {@code api}, {@code cron}, {@code webhook} or {@code plugin}
   * @param trigger what asked, as kept in the run history
   * @param parameters the connector's run parameters
   * @param requestedAt when it was asked for
   * @throws NullPointerException when any component is null
   */
  public RunRequest {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(parameters, "parameters");
    Objects.requireNonNull(requestedAt, "requestedAt");
  }
}
