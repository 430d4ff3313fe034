package dev.sluice.connectors.bigquery;

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

/** Makes the bigquery connector with the tests' clock, sleeper and environment (the rest: {@code GoogleHarness}). */
final class Harness {
  static Connector create(Map<String, ?> options, Clock clock, Sleeper sleeper, Map<String, String> env) {
    PluginConfig config = PluginConfig.of("pipeline 'test' source (type bigquery)", options);
    DefaultPluginContext context = new DefaultPluginContext("test", PluginKind.CONNECTOR, clock,
        new SimpleMeterRegistry(), new ObjectMapper(), null);
    return new BigQueryConnectorProvider().create(config, context, sleeper, env, new SplittableRandom(7));
  }

  private Harness() {}
}
