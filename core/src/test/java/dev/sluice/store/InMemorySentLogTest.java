package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemorySentLogTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void remembersKeysPerScopeUntilPurgedAfterExpiry() {
    SentLog log = new InMemoryStore().sentLog().orElseThrow();
    assertThat(log.contains("slack", "k1")).isFalse();
    log.record("slack", "k1", T0.plusSeconds(60));
    log.record("email", "k2", T0.plusSeconds(120));
    assertThat(log.contains("slack", "k1")).isTrue();
    assertThat(log.contains("email", "k1")).as("scopes are apart").isFalse();

    assertThat(log.purgeExpired(T0.plusSeconds(59))).isZero();
    assertThat(log.contains("slack", "k1")).isTrue();
    assertThat(log.purgeExpired(T0.plusSeconds(60))).isEqualTo(1);
    assertThat(log.contains("slack", "k1")).isFalse();
    assertThat(log.contains("email", "k2")).isTrue();
  }

  @Test
  void recordingAgainKeepsTheLaterExpiry() {
    SentLog log = new InMemorySentLog();
    log.record("s", "k", T0.plusSeconds(100));
    log.record("s", "k", T0.plusSeconds(10));
    assertThat(log.purgeExpired(T0.plusSeconds(50))).isZero();
    assertThat(log.contains("s", "k")).isTrue();
  }

  @Test
  void refusesEmptyAndOverlongKeys() {
    SentLog log = new InMemorySentLog();
    assertThatThrownBy(() -> log.record("s", "", T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> log.contains("x".repeat(201), "k")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scope");
  }
}
