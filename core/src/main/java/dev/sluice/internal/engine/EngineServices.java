package dev.sluice.internal.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.delivery.Sleeper;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Shared services of one Sluice instance that the engine uses for every run.
 *
 * @param store state
 * @param clock the one source of time
 * @param executor runs readers and delivery workers; needs at least 3 + the sum of the destinations'
 *     delivery concurrency threads per concurrent run, plus one for its checkpoint committer (a cached pool by default)
 * @param meterRegistry metrics
 * @param objectMapper JSON
 * @param sleeper waits between delivery attempts
 * @param runIds makes run ids
 * @param nodeId this Sluice node's id: the owner of the runs it starts, as recorded in the run
 *     history and kept alive by its heartbeat
 * @param observationRegistry spans of runs, reads, deliveries and retries ({@link
 *     ObservationRegistry#NOOP} for none)
 */
public record EngineServices(
    Store store,
    Clock clock,
    ExecutorService executor,
    MeterRegistry meterRegistry,
    ObjectMapper objectMapper,
    Sleeper sleeper,
    Supplier<String> runIds,
    String nodeId,
    ObservationRegistry observationRegistry) {
  /**
   * Without observations ({@link ObservationRegistry#NOOP}).
   *
   * @param store state
   * @param clock the one source of time
   * @param executor runs readers and delivery workers (see the class comment)
   * @param meterRegistry metrics
   * @param objectMapper JSON
   * @param sleeper waits between delivery attempts
   * @param runIds makes run ids
   * @param nodeId this Sluice node's id
   */
  public EngineServices(
      Store store,
      Clock clock,
      ExecutorService executor,
      MeterRegistry meterRegistry,
      ObjectMapper objectMapper,
      Sleeper sleeper,
      Supplier<String> runIds,
      String nodeId) {
    this(store, clock, executor, meterRegistry, objectMapper, sleeper, runIds, nodeId, ObservationRegistry.NOOP);
  }

  /**
   * Checks the components.
   *
   * @param store state
   * @param clock the one source of time
   * @param executor runs readers and delivery workers (see the class comment)
   * @param meterRegistry metrics
   * @param objectMapper JSON
   * @param sleeper waits between delivery attempts
   * @param runIds makes run ids
   * @param nodeId this Sluice node's id: the owner of the runs it starts, as recorded in the run
   *     history and kept alive by its heartbeat
   * @param observationRegistry spans of runs, reads, deliveries and retries ({@link
   *     ObservationRegistry#NOOP} for none)
   * @throws NullPointerException when a component is null
   */
  public EngineServices {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    Objects.requireNonNull(objectMapper, "objectMapper");
    Objects.requireNonNull(sleeper, "sleeper");
    Objects.requireNonNull(runIds, "runIds");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(observationRegistry, "observationRegistry");
  }
}
