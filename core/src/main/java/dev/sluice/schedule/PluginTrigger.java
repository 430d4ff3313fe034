package dev.sluice.schedule;

import dev.sluice.pipeline.PluginSpec;
import dev.sluice.spi.Trigger;
import java.util.Objects;

/**
 * A trigger supplied by a plugin ({@link dev.sluice.spi.TriggerProvider}) or an instance the host
 * made; started by {@code Sluice.start()} and closed by {@code Sluice.close()}.
 *
 * @param spec the type and options, or the instance
 */
public record PluginTrigger(PluginSpec<Trigger> spec) implements TriggerDefinition {
  /**
   * Checks the spec.
   *
   * @param spec the type and options, or the instance
   * @throws NullPointerException when {@code spec} is null
   */
  public PluginTrigger {
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public String describe() {
    return "trigger " + spec.type();
  }
}
