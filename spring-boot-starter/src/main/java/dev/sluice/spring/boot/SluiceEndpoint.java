package dev.sluice.spring.boot;

import dev.sluice.Sluice;
import dev.sluice.UnknownPipelineException;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.schedule.TriggerDefinition;
import dev.sluice.store.RunRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.lang.Nullable;

/**
 * The actuator endpoint {@code sluice} ({@code /actuator/sluice} once exposed with {@code
 * management.endpoints.web.exposure.include=sluice}): the pipelines with their source type,
 * triggers and destinations, and their most recent runs; {@code /actuator/sluice/{pipeline}} for one
 * pipeline. Read-only; shows no option values (they may hold secrets), only types and names.
 *
 * <p>Thread-safe.
 */
@Endpoint(id = "sluice")
public class SluiceEndpoint {
  /** Runs shown per pipeline. */
  public static final int RECENT_RUNS = 10;

  private final Sluice sluice;

  /** @param sluice what to describe; never null */
  public SluiceEndpoint(Sluice sluice) {
    this.sluice = Objects.requireNonNull(sluice, "sluice");
  }

  /**
   * Every pipeline with its recent runs.
   *
   * @return this node, whether it runs, and the pipelines
   */
  @ReadOperation
  public SluiceDescriptor sluice() {
    Map<String, PipelineDescriptor> pipelines = new LinkedHashMap<>();
    for (String name : sluice.pipelineNames()) {
      pipelines.put(name, describe(name));
    }
    return new SluiceDescriptor(sluice.nodeId(), sluice.isStarted(), pipelines);
  }

  /**
   * One pipeline with its recent runs.
   *
   * @param name the pipeline's name
   * @return the pipeline, or null (404) when there is none of that name
   */
  @ReadOperation
  @Nullable
  public PipelineDescriptor pipeline(@Selector String name) {
    try {
      return describe(name);
    } catch (UnknownPipelineException e) {
      return null;
    }
  }

  private PipelineDescriptor describe(String name) {
    Pipeline p = sluice.definition().pipelines().get(name);
    if (p == null) {
      throw new UnknownPipelineException(name, sluice.pipelineNames());
    }
    List<String> triggers = new ArrayList<>();
    for (TriggerDefinition t : p.triggers()) {
      triggers.add(t.describe());
    }
    List<RunDescriptor> runs = new ArrayList<>();
    for (RunRecord r : sluice.store().runs().list(name, RECENT_RUNS)) {
      runs.add(new RunDescriptor(r.id(), r.trigger(), r.status().name(), r.startedAt(), r.finishedAt(),
          r.recordsRead(), r.recordsDelivered(), r.recordsDeadLettered()));
    }
    return new PipelineDescriptor(p.description(), p.source().type(), triggers, List.copyOf(p.destinations()), runs);
  }

  /**
   * What the endpoint shows.
   *
   * @param node this node's id
   * @param started whether the triggers run
   * @param pipelines by name, in definition order
   */
  public record SluiceDescriptor(String node, boolean started, Map<String, PipelineDescriptor> pipelines) {}

  /**
   * One pipeline.
   *
   * @param description what it is for, or null
   * @param source the connector type
   * @param triggers each trigger described, e.g. {@code webhook /hooks/github}
   * @param destinations the destinations its rules lead to
   * @param recentRuns newest first, at most {@link #RECENT_RUNS}
   */
  public record PipelineDescriptor(String description, String source, List<String> triggers,
      List<String> destinations, List<RunDescriptor> recentRuns) {}

  /**
   * One run.
   *
   * @param id run id
   * @param trigger what started it
   * @param status e.g. {@code SUCCEEDED}
   * @param startedAt when it started
   * @param finishedAt when it ended, or null
   * @param recordsRead records read
   * @param recordsDelivered deliveries acknowledged
   * @param recordsDeadLettered deliveries parked as dead letters
   */
  public record RunDescriptor(String id, String trigger, String status, Instant startedAt, Instant finishedAt,
      long recordsRead, long recordsDelivered, long recordsDeadLettered) {}
}
