package dev.sluice.schedule;

import dev.sluice.pipeline.RunReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link ClusterCoordinator} asks of the local Sluice: its cron triggers, and running the
 * work the cluster hands it, here and now.
 *
 * <p>Thread-safety: every method may be called from any thread, concurrently.
 */
public interface ClusterNode {

  /**
   * Every pipeline's cron triggers, by pipeline name. Every node of a cluster defines the same.
   *
   * @return pipeline name to its cron triggers; pipelines without one are left out
   */
  Map<String, List<CronTrigger>> cronTriggers();

  /**
   * Runs {@code request} on the calling thread and returns its report when it ended (also when it
   * failed or was skipped by the overlap policy on this node).
   *
   * @param request the run to execute
   * @return the run's report
   * @throws NodeStoppingException when the run was stopped because this node is closing: the
   *     coordinator hands it to another node
   */
  RunReport execute(RunRequest request);

  /**
   * Fires one time of a cron trigger: applies the trigger's misfire policy (the time may be late
   * after an outage of the whole cluster) and runs it here, with a run id derived from pipeline,
   * trigger and time, so that a run restarted on another node keeps its id.
   *
   * @param pipeline the pipeline's name
   * @param trigger one of the pipeline's {@linkplain #cronTriggers() cron triggers}
   * @param scheduledFor the regular time being fired
   * @return the report, or empty when the misfire policy skipped it
   * @throws NodeStoppingException as for {@link #execute}
   */
  Optional<RunReport> fireCron(String pipeline, CronTrigger trigger, Instant scheduledFor);
}
