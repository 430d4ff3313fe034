package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.SentLog;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sent-log survives the store being closed and opened again, and is shared by two stores on one database. */
class JdbcSentLogTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void keysSurviveReopeningAndAreSharedAndPurgedAfterExpiry(@TempDir Path dir) {
    String url = "jdbc:h2:file:" + dir.resolve("store").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    try (JdbcStore a = JdbcStore.open(JdbcStoreOptions.builder().url(url).build())) {
      SentLog log = a.sentLog().orElseThrow();
      log.record("slack", "k1", T0.plusSeconds(60));
      log.record("slack", "k1", T0.plusSeconds(600)); // again: the later expiry wins, no error
      log.record("email", "k2", T0.plusSeconds(60));
      try (JdbcStore b = JdbcStore.open(JdbcStoreOptions.builder().url(url).build())) {
        assertThat(b.sentLog().orElseThrow().contains("slack", "k1")).as("seen by another store").isTrue();
      }
    }
    try (JdbcStore reopened = JdbcStore.open(JdbcStoreOptions.builder().url(url).build())) {
      SentLog log = reopened.sentLog().orElseThrow();
      assertThat(log.contains("slack", "k1")).isTrue();
      assertThat(log.contains("slack", "k2")).as("scopes are apart").isFalse();
      assertThat(log.purgeExpired(T0.plusSeconds(60))).as("only k2 expired").isEqualTo(1);
      assertThat(log.contains("email", "k2")).isFalse();
      assertThat(log.contains("slack", "k1")).isTrue();
    }
  }
}
