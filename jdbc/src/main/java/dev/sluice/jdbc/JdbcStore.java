package dev.sluice.jdbc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.jdbc.cluster.DbSchedulerCoordinator;
import dev.sluice.jdbc.internal.Dialect;
import dev.sluice.jdbc.internal.Jdbc;
import dev.sluice.jdbc.internal.JdbcAuditLog;
import dev.sluice.jdbc.internal.JdbcAuthStateStore;
import dev.sluice.jdbc.internal.JdbcCheckpointStore;
import dev.sluice.jdbc.internal.JdbcDeadLetterStore;
import dev.sluice.jdbc.internal.JdbcPipelineStore;
import dev.sluice.jdbc.internal.JdbcReplayCache;
import dev.sluice.jdbc.internal.JdbcRoleStore;
import dev.sluice.jdbc.internal.JdbcSentLog;
import dev.sluice.jdbc.internal.JdbcRunStore;
import dev.sluice.jdbc.internal.JdbcSecretStore;
import dev.sluice.jdbc.internal.JdbcUrls;
import dev.sluice.jdbc.internal.JdbcUserStore;
import dev.sluice.jdbc.internal.JsonColumns;
import dev.sluice.jdbc.internal.Migrations;
import dev.sluice.jdbc.internal.Pools;
import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.ClusterSettings;
import dev.sluice.store.AuditLog;
import dev.sluice.store.AuthStateStore;
import dev.sluice.store.CheckpointStore;
import dev.sluice.store.DeadLetterStore;
import dev.sluice.store.PipelineStore;
import dev.sluice.store.ReplayCache;
import dev.sluice.store.SentLog;
import dev.sluice.store.RoleStore;
import dev.sluice.store.RunStore;
import dev.sluice.store.SecretStore;
import dev.sluice.store.Store;
import dev.sluice.store.UserStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * A {@link Store} in a relational database: embedded H2 (the default, a file under {@code
 * ./data}), PostgreSQL (production, and what a cluster shares), MySQL or MariaDB.
 *
 * <pre>{@code
 * // Embedded H2 file ./data/sluice.mv.db, created and migrated on first use:
 * Store store = JdbcStore.open(JdbcStoreOptions.defaults());
 * // PostgreSQL:
 * Store store = JdbcStore.open(JdbcStoreOptions.builder()
 *     .url("jdbc:postgresql://db:5432/sluice").username("sluice").password(secret).build());
 * }</pre>
 *
 * <p>To keep the H2 file elsewhere, give another URL, e.g. {@code jdbc:h2:file:/var/lib/sluice/state}
 * (see {@link JdbcStoreOptions}); in a configuration file, {@code store: { type: jdbc, url: ... }}.
 *
 * <p>The schema is created and upgraded by Flyway migrations (tables {@code sluice_*}, plus
 * {@code scheduled_tasks} for the cluster scheduler; history in {@code sluice_schema_history};
 * documented in {@code docs/development/database_schema.md}). Opening a store applies pending
 * migrations unless {@link JdbcStoreOptions#migrate()} is off; {@link #migrate()} applies them
 * explicitly (what {@code sluice migrate} does). Migrating a current schema does nothing.
 *
 * <p>Every write is one transaction; a checkpoint commit writes the checkpoint and the run's
 * progress in the same transaction. Several stores (processes, cluster nodes) on one database see
 * each other's writes.
 *
 * <p>Thread-safe. {@link #close()} closes the connection pool the store opened (not a data source
 * the host passed in). Failures throw {@link JdbcStoreException}.
 */
public final class JdbcStore implements Store {
  private final DataSource dataSource;
  private final HikariDataSource ownedPool;
  private final Dialect dialect;
  private final String description;
  private final JdbcRunStore runs;
  private final JdbcCheckpointStore checkpoints;
  private final JdbcDeadLetterStore deadLetters;
  private final JdbcUserStore users;
  private final JdbcSecretStore secrets;
  private final JdbcPipelineStore pipelines;
  private final JdbcReplayCache replays;
  private final JdbcSentLog sentLog;
  private final JdbcAuthStateStore authState;
  private final JdbcRoleStore roles;
  private final JdbcAuditLog auditLog;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JdbcStore(DataSource dataSource, HikariDataSource ownedPool, Clock clock, String description) {
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.description = description;
    this.dialect = detect(dataSource, description);
    Jdbc jdbc = new Jdbc(dataSource, dialect);
    JsonColumns json = new JsonColumns(new ObjectMapper());
    this.runs = new JdbcRunStore(jdbc, json);
    this.checkpoints = new JdbcCheckpointStore(jdbc, runs, clock);
    this.deadLetters = new JdbcDeadLetterStore(jdbc, json);
    this.users = new JdbcUserStore(jdbc, json);
    this.secrets = new JdbcSecretStore(jdbc, clock);
    this.pipelines = new JdbcPipelineStore(jdbc, json, clock);
    this.replays = new JdbcReplayCache(jdbc);
    this.sentLog = new JdbcSentLog(jdbc);
    this.authState = new JdbcAuthStateStore(jdbc);
    this.roles = new JdbcRoleStore(jdbc, json);
    this.auditLog = new JdbcAuditLog(jdbc);
  }

  /**
   * An embedded H2 URL with {@code WRITE_DELAY=0} unless it sets a write delay itself: H2 otherwise
   * writes a commit to its file up to half a second later, so a killed process (SIGKILL, OOM
   * killer) loses the last commits: checkpoints (records read again), sent-log entries
   * (notifications sent twice), dead letters parked in that window. Other databases are left as they are.
   */
  static String durableH2(String url) {
    String lower = url.toLowerCase(java.util.Locale.ROOT);
    if (!lower.startsWith("jdbc:h2:") || lower.startsWith("jdbc:h2:mem:") || lower.startsWith("jdbc:h2:tcp:")
        || lower.startsWith("jdbc:h2:ssl:") || lower.contains(";write_delay=")) {
      return url;
    }
    return url + ";WRITE_DELAY=0";
  }

  /**
   * Opens a connection pool on {@code options.url()} and, unless disabled, migrates the schema.
   * An embedded H2 file store commits each transaction to its file at once ({@code WRITE_DELAY=0}
   * is added unless the URL sets a write delay), so a killed process loses no committed state.
   *
   * @param options where the database is and how to connect
   * @return the open store; closing it closes the pool
   * @throws JdbcStoreException when the database can't be reached, is not supported, or a
   *     migration fails
   */
  public static JdbcStore open(JdbcStoreOptions options) {
    Objects.requireNonNull(options, "options");
    String description = "store database " + JdbcUrls.redact(options.url());
    HikariDataSource pool;
    try {
      pool = Pools.create("sluice-store", durableH2(options.url()), options.username(), options.password(),
          options.poolSize(), options.connectionTimeout(), true, Map.of());
    } catch (RuntimeException e) {
      throw new JdbcStoreException("could not connect to the " + description + ": " + e.getMessage()
          + "; check the URL, the credentials and that the database is running", e);
    }
    try {
      JdbcStore store = new JdbcStore(pool, pool, options.clock(), description);
      if (options.migrate()) {
        store.migrate();
      }
      return store;
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /**
   * A store on a data source the host manages (and closes). Does not migrate: call {@link
   * #migrate()} when the host wants Sluice to create its tables.
   *
   * @param dataSource the host's data source; not closed by the store
   * @param clock stamps commit and update times
   * @return the store
   */
  public static JdbcStore forDataSource(DataSource dataSource, Clock clock) {
    return new JdbcStore(Objects.requireNonNull(dataSource, "dataSource"), null,
        Objects.requireNonNull(clock, "clock"), "store database of the host's data source");
  }

  /**
   * Applies pending migrations.
   *
   * @return how many migrations ran; 0 when the schema was current
   * @throws JdbcStoreException when a migration fails (the failed migration is rolled back where
   *     the database supports transactional DDL: PostgreSQL and H2)
   */
  public int migrate() {
    try {
      return Migrations.migrate(dataSource, dialect);
    } catch (RuntimeException e) {
      throw new JdbcStoreException("could not migrate the " + description + ": " + e.getMessage(), e);
    }
  }

  private static Dialect detect(DataSource dataSource, String description) {
    try (Connection c = dataSource.getConnection()) {
      return Dialect.of(c);
    } catch (SQLException e) {
      throw new JdbcStoreException("could not connect to the " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  @Override
  public RunStore runs() {
    return runs;
  }

  @Override
  public DeadLetterStore deadLetters() {
    return deadLetters;
  }

  @Override
  public Optional<UserStore> users() {
    return Optional.of(users);
  }

  /** Signing keys, refresh tokens and failed logins in {@code sluice_signing_keys}, {@code sluice_refresh_tokens}, {@code sluice_login_failures}. */
  @Override
  public Optional<AuthStateStore> authState() {
    return Optional.of(authState);
  }

  /** Custom roles in {@code sluice_roles}. */
  @Override
  public Optional<RoleStore> roles() {
    return Optional.of(roles);
  }

  /** The audit log in {@code sluice_audit_log}. */
  @Override
  public Optional<AuditLog> auditLog() {
    return Optional.of(auditLog);
  }

  @Override
  public Optional<SecretStore> secrets() {
    return Optional.of(secrets);
  }

  @Override
  public Optional<PipelineStore> pipelines() {
    return Optional.of(pipelines);
  }

  /** Webhook deliveries in {@code sluice_webhook_replays}: every node on this database refuses a replay. */
  @Override
  public Optional<ReplayCache> replayCache() {
    return Optional.of(replays);
  }

  /** Notifications sent, in {@code sluice_sent_log}: survives restarts, shared by every node on this database. */
  @Override
  public Optional<SentLog> sentLog() {
    return Optional.of(sentLog);
  }

  /**
   * A db-scheduler coordinator on this store's database, so that nodes sharing it run each cron
   * time and each queued run once.
   *
   * @throws UnsupportedOperationException on embedded H2: a cluster needs a database server
   */
  @Override
  public ClusterCoordinator clusterCoordinator(ClusterSettings settings) {
    if (dialect == Dialect.H2) {
      throw new UnsupportedOperationException(description + " is an embedded H2 database, which one process owns:"
          + " a cluster needs a database server all nodes share (PostgreSQL, MySQL or MariaDB)");
    }
    DbSchedulerCoordinator.Builder b = DbSchedulerCoordinator.builder(dataSource)
        .threads(settings.threads())
        .pollingInterval(settings.pollingInterval())
        .heartbeat(settings.heartbeatInterval(), settings.missedHeartbeats());
    if (settings.nodeName() != null) {
      b.nodeName(settings.nodeName());
    }
    return b.build();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownedPool != null) {
      ownedPool.close();
    }
  }

  @Override
  public String toString() {
    return "JdbcStore{" + description + ", " + dialect + "}";
  }
}
