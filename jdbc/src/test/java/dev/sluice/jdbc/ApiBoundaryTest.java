package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.ApiBoundary;
import org.junit.jupiter.api.Test;

/** The JDBC module's public API (store, options, database destination) shows none of its internals. */
class ApiBoundaryTest {
  @Test
  void publicApiShowsNoInternalTypes() {
    assertThat(ApiBoundary.leaks(JdbcStore.class)).isEmpty();
  }
}
