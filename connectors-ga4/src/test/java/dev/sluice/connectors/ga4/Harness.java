package dev.sluice.connectors.ga4;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.delivery.Sleeper;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.spi.Connector;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.SplittableRandom;

/** Makes the ga4 connector with the tests' clock, sleeper and environment (the rest: {@code GoogleHarness}). */
final class Harness {
  static Connector create(Map<String, ?> options, Clock clock, Sleeper sleeper, Map<String, String> env) {
    PluginConfig config = PluginConfig.of("pipeline 'test' source (type ga4)", options);
    DefaultPluginContext context = new DefaultPluginContext("test", PluginKind.CONNECTOR, clock,
        new SimpleMeterRegistry(), new ObjectMapper(), null);
    return new Ga4ConnectorProvider().create(config, context, sleeper, env, new SplittableRandom(7));
  }

  private Harness() {}
}
