package dev.sluice.jdbc;

import dev.sluice.jdbc.internal.JdbcUrls;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the store's database. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: the embedded H2 file database {@value #DEFAULT_URL} (relative to the working
 * directory, created on first use), no credentials, a pool of {@value #DEFAULT_POOL_SIZE}
 * connections, migrations on open. For production point {@link Builder#url} at PostgreSQL, e.g.
 * {@code jdbc:postgresql://db:5432/sluice}; MySQL ({@code jdbc:mysql:}) and MariaDB ({@code
 * jdbc:mariadb:}) work when their driver is on the class path; create their database with the
 * {@code utf8mb4} character set. The tests run against H2, PostgreSQL and MariaDB.
 *
 * <p>{@link #toString()} never shows the password.
 */
public final class JdbcStoreOptions {
  /** The embedded H2 file database used when no URL is given. */
  public static final String DEFAULT_URL = "jdbc:h2:file:./data/sluice";

  /** The default number of pooled connections. */
  public static final int DEFAULT_POOL_SIZE = 5;

  private final String url;
  private final String username;
  private final String password;
  private final int poolSize;
  private final boolean migrate;
  private final Duration connectionTimeout;
  private final Clock clock;

  private JdbcStoreOptions(Builder b) {
    this.url = b.url;
    this.username = b.username;
    this.password = b.password;
    this.poolSize = b.poolSize;
    this.migrate = b.migrate;
    this.connectionTimeout = b.connectionTimeout;
    this.clock = b.clock;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * All defaults: the embedded H2 file database under {@code ./data}.
   *
   * @return the default options
   */
  public static JdbcStoreOptions defaults() {
    return builder().build();
  }

  /**
   * The JDBC URL; may hold a password, so log {@link #toString()} instead.
   *
   * @return the URL, never null; {@link #DEFAULT_URL} unless set
   */
  public String url() {
    return url;
  }

  /**
   * Null when the URL or the database needs none.
   *
   * @return the user name, or null
   */
  public String username() {
    return username;
  }

  /**
   * Null when the URL or the database needs none.
   *
   * @return the password, or null
   */
  public String password() {
    return password;
  }

  /**
   * Connections in the pool.
   *
   * @return between 1 and 1000
   */
  public int poolSize() {
    return poolSize;
  }

  /**
   * Whether opening the store applies pending migrations.
   *
   * @return true unless disabled
   */
  public boolean migrate() {
    return migrate;
  }

  /**
   * How long to wait for a pooled connection before failing.
   *
   * @return at least 250 ms; 30 s by default
   */
  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  /**
   * Stamps commit and update times.
   *
   * @return the clock; the system UTC clock by default
   */
  public Clock clock() {
    return clock;
  }

  @Override
  public String toString() {
    return "JdbcStoreOptions{url=" + JdbcUrls.redact(url) + ", username=" + username + ", password="
        + (password == null ? "none" : "****") + ", poolSize=" + poolSize + ", migrate=" + migrate + "}";
  }

  /** Builds {@link JdbcStoreOptions}; each setter checks its value. Not thread-safe. */
  public static final class Builder {
    private String url = DEFAULT_URL;
    private String username;
    private String password;
    private int poolSize = DEFAULT_POOL_SIZE;
    private boolean migrate = true;
    private Duration connectionTimeout = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * A JDBC URL starting with {@code jdbc:h2:}, {@code jdbc:postgresql:}, {@code jdbc:mysql:} or
     * {@code jdbc:mariadb:}.
     *
     * @param value the URL
     * @return this builder
     * @throws IllegalArgumentException when {@code value} does not start with {@code jdbc:} (the
     *     message masks a password in it)
     */
    public Builder url(String value) {
      Objects.requireNonNull(value, "url");
      if (!value.startsWith("jdbc:")) {
        throw new IllegalArgumentException("store url must be a JDBC URL starting with 'jdbc:', got '"
            + JdbcUrls.redact(value) + "'");
      }
      this.url = value;
      return this;
    }

    /**
     * The database user; default none.
     *
     * @param value the user name, or null
     * @return this builder
     */
    public Builder username(String value) {
      this.username = value;
      return this;
    }

    /**
     * The database password; default none. Never shown by {@link JdbcStoreOptions#toString()}.
     *
     * @param value the password, or null
     * @return this builder
     */
    public Builder password(String value) {
      this.password = value;
      return this;
    }

    /**
     * Connections in the pool, 1 to 1000.
     *
     * @param value the pool size
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is out of range
     */
    public Builder poolSize(int value) {
      if (value < 1 || value > 1000) {
        throw new IllegalArgumentException("store poolSize must be between 1 and 1000, got " + value);
      }
      this.poolSize = value;
      return this;
    }

    /**
     * Whether opening the store applies pending migrations (default true).
     *
     * @param value whether to migrate
     * @return this builder
     */
    public Builder migrate(boolean value) {
      this.migrate = value;
      return this;
    }

    /**
     * At least 250 ms (the pool's minimum).
     *
     * @param value the timeout
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or under 250 ms
     */
    public Builder connectionTimeout(Duration value) {
      if (value == null || value.toMillis() < 250) {
        throw new IllegalArgumentException("store connectionTimeout must be at least 250ms, got " + value);
      }
      this.connectionTimeout = value;
      return this;
    }

    /**
     * The clock that stamps commit and update times; default the system UTC clock.
     *
     * @param value the clock, not null
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     */
    public JdbcStoreOptions build() {
      return new JdbcStoreOptions(this);
    }
  }
}
