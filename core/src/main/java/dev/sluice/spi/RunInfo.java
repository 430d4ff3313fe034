package dev.sluice.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Identifies a run for plugins.
 *
 * @param pipeline the pipeline's name, never null
 * @param runId the run's unique id, never null
 * @param startedAt when the run started, never null
 */
public record RunInfo(String pipeline, String runId, Instant startedAt) {
  /**
   * Checks the components.
   *
   * @param pipeline the pipeline's name, never null
   * @param runId the run's unique id, never null
   * @param startedAt when the run started, never null
   * @throws NullPointerException when a component is null
   */
  public RunInfo {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(startedAt, "startedAt");
  }
}
