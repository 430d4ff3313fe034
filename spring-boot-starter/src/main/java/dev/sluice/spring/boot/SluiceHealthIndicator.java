package dev.sluice.spring.boot;

import dev.sluice.Sluice;
import java.util.Objects;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * Health of a {@link Sluice} (actuator component {@code sluice}): {@code UP} when its store answers
 * (one run-history query) and its triggers are running; {@code OUT_OF_SERVICE} when the store
 * answers but the triggers are not running (not started yet, or shut down); {@code DOWN} when the
 * store fails. Details: {@code started}, {@code pipelines} (how many), {@code node}, {@code store}
 * (its type) and, when down, the type of the store's exception (never its message, which may name
 * a database).
 *
 * <p>Thread-safe.
 */
public class SluiceHealthIndicator extends AbstractHealthIndicator {
  private final Sluice sluice;

  /** @param sluice what to check; never null */
  public SluiceHealthIndicator(Sluice sluice) {
    super("Sluice health check failed");
    this.sluice = Objects.requireNonNull(sluice, "sluice");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    boolean started = sluice.isStarted();
    builder.withDetail("started", started)
        .withDetail("pipelines", sluice.pipelineNames().size())
        .withDetail("node", sluice.nodeId())
        .withDetail("store", sluice.store().getClass().getSimpleName());
    try {
      sluice.store().runs().list(null, 1);
    } catch (RuntimeException e) {
      builder.down().withDetail("storeError", e.getClass().getName());
      return;
    }
    if (started) {
      builder.up();
    } else {
      builder.outOfService();
    }
  }
}
