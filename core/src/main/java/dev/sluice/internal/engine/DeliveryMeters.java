package dev.sluice.internal.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The meters of one pipeline's deliveries to one destination, resolved once (per engine) so that
 * delivery threads only increment them: {@code sluice.records.delivered}, {@code
 * sluice.records.dead_lettered}, {@code sluice.records.retried}, {@code sluice.records.undelivered},
 * {@code sluice.delivery.batch.size} and {@code sluice.delivery.latency} (one timer per outcome,
 * registered when the outcome first happens).
 * Tags are the pipeline and destination names and a fixed outcome: never record data.
 *
 * <p>Not API. Thread-safe (Micrometer meters are).
 */
final class DeliveryMeters {
  /** Every record of the batch acknowledged. */
  static final String DELIVERED = "delivered";
  /** Some records dead-lettered, some delivered. */
  static final String PARTIAL = "partial";
  /** Every record dead-lettered. */
  static final String FAILED = "failed";
  /** Delivery stopped (shutdown, hung destination) before the batch settled. */
  static final String ABANDONED = "abandoned";

  final Counter delivered;
  final Counter deadLettered;
  final Counter retried;
  final Counter undelivered;
  final DistributionSummary batchSize;
  private final LazyMeter<Timer> latencyDelivered;
  private final LazyMeter<Timer> latencyPartial;
  private final LazyMeter<Timer> latencyFailed;
  private final LazyMeter<Timer> latencyAbandoned;

  DeliveryMeters(MeterRegistry registry, String pipeline, String destination) {
    delivered = counter(registry, "sluice.records.delivered", "Records a destination acknowledged", pipeline,
        destination);
    deadLettered = counter(registry, "sluice.records.dead_lettered",
        "Records that failed for good at a destination and were parked as dead letters", pipeline, destination);
    retried = counter(registry, "sluice.records.retried",
        "Records sent again after a retryable failure, once per retry attempt", pipeline, destination);
    undelivered = counter(registry, "sluice.records.undelivered",
        "Records left undelivered by a shutdown deadline or a hung destination", pipeline, destination);
    batchSize = DistributionSummary.builder("sluice.delivery.batch.size")
        .description("Records in each batch handed to a destination")
        .baseUnit("records")
        .tag("pipeline", pipeline)
        .tag("destination", destination)
        .publishPercentileHistogram()
        .minimumExpectedValue(1d)
        .maximumExpectedValue(1_000_000d) // the largest batchSize allowed
        .register(registry);
    latencyDelivered = new LazyMeter<>(() -> latency(registry, pipeline, destination, DELIVERED));
    latencyPartial = new LazyMeter<>(() -> latency(registry, pipeline, destination, PARTIAL));
    latencyFailed = new LazyMeter<>(() -> latency(registry, pipeline, destination, FAILED));
    latencyAbandoned = new LazyMeter<>(() -> latency(registry, pipeline, destination, ABANDONED));
  }

  Timer latency(String outcome) {
    switch (outcome) {
      case DELIVERED:
        return latencyDelivered.get();
      case PARTIAL:
        return latencyPartial.get();
      case FAILED:
        return latencyFailed.get();
      default:
        return latencyAbandoned.get();
    }
  }

  private static Counter counter(
      MeterRegistry registry, String name, String description, String pipeline, String destination) {
    return Counter.builder(name).description(description).tag("pipeline", pipeline).tag("destination", destination)
        .register(registry);
  }

  private static Timer latency(MeterRegistry registry, String pipeline, String destination, String outcome) {
    return Timer.builder("sluice.delivery.latency")
        .description("Time to settle one batch at a destination, retries and their waits included")
        .tag("pipeline", pipeline)
        .tag("destination", destination)
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry);
  }
}
