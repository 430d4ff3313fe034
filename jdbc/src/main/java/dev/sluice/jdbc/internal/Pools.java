package dev.sluice.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.Map;

/** HikariCP pools for the store and the database destination. Not API. */
public final class Pools {
  private Pools() {}

  /**
   * A pool on {@code url}.
   *
   * @param name the pool's name in logs and metrics
   * @param failFast whether creating the pool fails when the database can't be reached (the
   *     store: yes; a destination: no, its deliveries fail and are retried instead)
   * @param properties driver properties, e.g. {@code reWriteBatchedInserts}
   */
  public static HikariDataSource create(String name, String url, String username, String password,
      int size, Duration connectionTimeout, boolean failFast, Map<String, String> properties) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url);
    config.setUsername(username);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(Math.min(1, size));
    config.setConnectionTimeout(connectionTimeout.toMillis());
    // Hikari's validation timeout must be below the connection timeout.
    config.setValidationTimeout(Math.max(250, Math.min(5_000, connectionTimeout.toMillis() / 2)));
    config.setInitializationFailTimeout(failFast ? 1 : -1);
    properties.forEach(config::addDataSourceProperty);
    return new HikariDataSource(config);
  }
}
