package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.delivery.DeliverySettings;
import dev.sluice.spi.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every delivery setting can be written in a configuration file. */
class DeliveryConfigTest {
  @TempDir Path dir;

  private static final String CONFIG = """
      destinations:
        crm:
          type: webhook
          url: https://crm.example.com/hooks
          delivery:
      %s
      pipelines:
        orders:
          source: { type: file, path: orders.jsonl }
          rules:
            - to: [crm]
      """;

  private DeliverySettings load(String delivery) throws Exception {
    Path file = dir.resolve("sluice.yaml");
    Files.writeString(file, CONFIG.formatted(delivery.indent(6).stripTrailing()));
    ConfigLoader loader = ConfigLoader.create(
        ProviderRegistry.discover(getClass().getClassLoader(), List.of()), Map.<String, String>of()::get, Clock.systemUTC());
    try (LoadedConfig c = loader.load(List.of(file))) {
      return c.definition().destinations().get("crm").delivery();
    }
  }

  @Test
  void everySettingMapsToTheBuilder() throws Exception {
    DeliverySettings d = load("""
        batchSize: 200
        maxBatchBytes: 1000000
        linger: 500ms
        concurrency: 4
        maxAttempts: 8
        maxElapsedTime: 30m
        initialBackoff: 250ms
        maxBackoff: 1m
        circuitBreaker: { failures: 3, openFor: 45s }
        rateLimit: { permits: 10, period: 2s }
        """);

    assertThat(d).isEqualTo(DeliverySettings.builder()
        .batchSize(200).maxBatchBytes(1_000_000).linger(Duration.ofMillis(500)).concurrency(4)
        .maxAttempts(8).maxElapsedTime(Duration.ofMinutes(30))
        .initialBackoff(Duration.ofMillis(250)).maxBackoff(Duration.ofMinutes(1))
        .circuitBreaker(3, Duration.ofSeconds(45)).rateLimit(10, Duration.ofSeconds(2))
        .build());
  }

  @Test
  void theBreakerCanBeTurnedOffAndDefaultsApply() throws Exception {
    assertThat(load("circuitBreaker: { enabled: false }").hasCircuitBreaker()).isFalse();
    DeliverySettings d = load("rateLimit: { permits: 5 }");
    assertThat(d.rateLimitPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.circuitBreakerFailures()).isEqualTo(5);
  }

  @Test
  void badValuesNameTheSettingAndWhere() {
    assertThatThrownBy(() -> load("concurrency: 500"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("/destinations/crm/delivery/concurrency")
        .hasMessageContaining("concurrency must be between 1 and 64, got 500");
    assertThatThrownBy(() -> load("circuitBreaker: { failures: 0 }"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("/destinations/crm/delivery/circuitBreaker");
  }
}
