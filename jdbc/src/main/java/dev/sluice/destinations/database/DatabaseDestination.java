package dev.sluice.destinations.database;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.jdbc.internal.Dialect;
import dev.sluice.jdbc.internal.JdbcUrls;
import dev.sluice.jdbc.internal.Pools;
import dev.sluice.record.Batch;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes records as rows of a database table (PostgreSQL, H2, MySQL/MariaDB): destination type
 * {@code database}.
 *
 * <p>Each column is filled from a JSONPath into the record's data and converted to the column's
 * {@link ColumnType}; a value that does not convert fails only its record, permanently. Optionally
 * one more column receives the record's idempotency key ({@link Batch#idempotencyKey(int)}).
 *
 * <p>Modes ({@link Mode}):
 *
 * <ul>
 *   <li>{@code insert}: batched {@code INSERT}; with an idempotency-key column (which must be
 *       unique), rows whose key is already there are skipped, so replays don't duplicate.
 *   <li>{@code upsert}: insert or update by key ({@code upsertKey}, default the idempotency-key
 *       column): PostgreSQL {@code ON CONFLICT}, H2 {@code MERGE}, MySQL {@code ON DUPLICATE KEY};
 *       the key needs a primary key or unique constraint (PostgreSQL, MySQL). Replays are
 *       idempotent: same key, same row. Within a batch the last record of a key wins.
 *   <li>{@code copy}: PostgreSQL only: appends through {@code COPY ... FROM STDIN} (pgjdbc's
 *       CopyManager), streamed in 64 KiB chunks; for bulk loads.
 * </ul>
 *
 * <p>One transaction per batch: a batch is committed whole or not at all. When the database
 * refuses a batch because of a row's data or a constraint, the batch is rolled back and written
 * again row by row, each row in its own transaction, so that exactly the bad rows fail
 * (permanently, with the database's reason) and the others are delivered. Connection problems,
 * timeouts and other server trouble are retryable; a statement that can't work for any row
 * (missing table or column, no privilege) fails the batch permanently.
 *
 * <p>Table and column names must match {@link Dialect#IDENTIFIER} and are quoted, with the case
 * the database gives an unquoted name ({@code deals} is {@code "deals"} on PostgreSQL and {@code
 * "DEALS"} on H2); values are always bound as parameters or, for COPY, escaped. PostgreSQL can't
 * store NUL (U+0000) in text, so such a value fails its record there.
 *
 * <p>With {@code createTable}, the table is created on first delivery if it does not exist, from
 * the column mapping, with the upsert key as primary key and the idempotency-key column unique.
 *
 * <p>Thread-safe: batches are written on separate pooled connections.
 */
public final class DatabaseDestination implements Destination, dev.sluice.spi.ConnectionCheck {
  /** How rows are written. */
  public enum Mode {
    /** Batched {@code INSERT}; rows whose idempotency key is already there are skipped. */
    INSERT,
    /** Insert or update by the upsert key. */
    UPSERT,
    /** PostgreSQL {@code COPY ... FROM STDIN}, for bulk loads. */
    COPY
  }

  private static final int COPY_BUFFER = 64 * 1024;

  private final String name;
  private final DataSource dataSource;
  private final HikariDataSource ownedPool;
  private final Dialect dialect;
  private final Mode mode;
  private final String table;
  private final List<Column> columns;
  private final int[] keyIndexes;
  private final String rowSql;
  private final String copySql;
  private final String createSql;
  private volatile boolean tableReady;
  /** Where the database is, for messages: the URL without credentials, or "its data source". */
  private final String where;

  private DatabaseDestination(Builder b, DataSource dataSource, HikariDataSource ownedPool, Dialect dialect) {
    this.name = b.name;
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.dialect = dialect;
    this.mode = b.mode;
    this.table = dialect.qualified(b.schema, b.table);
    this.columns = List.copyOf(b.columns.values());
    List<String> names = columns.stream().map(c -> c.name).toList();
    List<String> placeholders = columns.stream().map(c -> c.type.placeholder(dialect)).toList();
    List<String> keys = b.upsertKey;
    this.keyIndexes = keys.stream().mapToInt(names::indexOf).toArray();
    String quotedColumns = names.stream().map(dialect::quote).collect(Collectors.joining(", "));
    if (mode == Mode.UPSERT) {
      this.rowSql = dialect.upsert(table, names, placeholders, keys);
    } else if (b.idempotencyKeyColumn != null) {
      this.rowSql = dialect.upsert(table, names, placeholders, List.of(b.idempotencyKeyColumn), false);
    } else {
      this.rowSql = "INSERT INTO " + table + " (" + quotedColumns + ") VALUES (" + String.join(", ", placeholders) + ")";
    }
    this.copySql = "COPY " + table + " (" + quotedColumns + ") FROM STDIN";
    this.createSql = b.createTable ? createTableSql(b, keys) : null;
    this.tableReady = !b.createTable;
    this.where = b.url != null ? JdbcUrls.redact(b.url) : "the data source the host gave it";
  }

  /**
   * Borrows a connection, asks the driver whether it is valid, and reads no rows of the table
   * ({@code SELECT * FROM table WHERE 1 = 0}) to learn that it exists and may be read. Writes
   * nothing; a table that {@code createTable} will create on the first delivery may be missing.
   * Messages name the database URL without its credentials, and the table.
   *
   * @param timeout bounds the validity check and the query; borrowing a connection is bounded by
   *     the pool's {@code connectionTimeout} and by interruption
   * @return ok (with the database product) or failed
   * @throws InterruptedException when interrupted while waiting for a connection
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(Duration timeout) throws InterruptedException {
    int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toSeconds()));
    Map<String, String> details = new LinkedHashMap<>();
    details.put("database", where);
    details.put("table", table);
    String what = "database destination '" + name + "'";
    try (Connection c = dataSource.getConnection()) {
      if (!c.isValid(seconds)) {
        return dev.sluice.spi.ConnectionCheckResult.failed(what + ": the connection to " + where
            + " is not valid (the driver's isValid said no)", details);
      }
      var meta = c.getMetaData();
      details.put("product", meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion());
      try (java.sql.Statement st = c.createStatement()) {
        st.setQueryTimeout(seconds);
        st.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        if (createSql != null) {
          return dev.sluice.spi.ConnectionCheckResult.ok(what + ": connected to " + where + "; table " + table
              + " can't be read yet (" + SqlFailures.describe(e) + "); createTable makes it on the first delivery",
              details);
        }
        return dev.sluice.spi.ConnectionCheckResult.failed(what + ": connected to " + where + ", but table " + table
            + " can't be read: " + SqlFailures.describe(e), details);
      }
      return dev.sluice.spi.ConnectionCheckResult.ok(what + ": connected to " + where + " and table " + table
          + " exists", details);
    } catch (SQLException e) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while connecting to " + where);
      }
      // A pool's timeout hides the driver's reason (refused, unknown role) in its cause.
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String reason = SqlFailures.describe(e) + (root == e || root.getMessage() == null ? ""
          : "; cause: " + JdbcUrls.redact(root.getMessage().strip()));
      return dev.sluice.spi.ConnectionCheckResult.failed(what + ": can't connect to " + where + ": " + reason, details);
    }
  }

  /**
   * Starts a destination.
   *
   * @param name the destination's name, for messages
   * @return a new builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  private String createTableSql(Builder b, List<String> keys) {
    List<String> defs = new ArrayList<>();
    for (Column c : columns) {
      boolean key = keys.contains(c.name) || c.name.equals(b.idempotencyKeyColumn);
      defs.add(dialect.quote(c.name) + " " + c.type.sqlType(dialect, key) + (key ? " NOT NULL" : ""));
    }
    if (!keys.isEmpty()) {
      defs.add("PRIMARY KEY (" + keys.stream().map(dialect::quote).collect(Collectors.joining(", ")) + ")");
    }
    if (b.idempotencyKeyColumn != null && !keys.equals(List.of(b.idempotencyKeyColumn))) {
      defs.add("UNIQUE (" + dialect.quote(b.idempotencyKeyColumn) + ")");
    }
    return "CREATE TABLE IF NOT EXISTS " + table + " (" + String.join(", ", defs) + ")";
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws DeliveryException {
    if (batch.isEmpty()) {
      return DeliveryResult.success();
    }
    Map<Integer, RecordFailure> failures = new TreeMap<>();
    List<Row> rows = convert(batch, failures);
    if (mode == Mode.UPSERT) {
      rows = lastPerKey(rows);
    }
    if (rows.isEmpty()) {
      return DeliveryResult.partial(failures);
    }
    try (Connection c = dataSource.getConnection()) {
      ensureTable(c);
      try {
        writeInOneTransaction(c, rows);
      } catch (SQLException e) {
        if (SqlFailures.classify(e) != SqlFailures.Kind.RECORD) {
          throw e;
        }
        writeRowByRow(c, rows, failures, batch);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    return DeliveryResult.partial(failures);
  }

  private DeliveryException failure(SQLException e) {
    String message = "destination '" + name + "': writing to " + table + " failed: " + SqlFailures.describe(e);
    if (SqlFailures.classify(e) == SqlFailures.Kind.RETRYABLE) {
      return DeliveryException.retryable(message, e);
    }
    return DeliveryException.permanent(message + "; fix the table or the column mapping, then replay the dead letters", e);
  }

  /** A converted record: its batch index and one value per column. */
  private static final class Row {
    final int index;
    final Object[] values;

    Row(int index, Object[] values) {
      this.index = index;
      this.values = values;
    }
  }

  private List<Row> convert(Batch batch, Map<Integer, RecordFailure> failures) {
    List<Row> rows = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Object[] values = new Object[columns.size()];
      String problem = null;
      for (int j = 0; j < values.length && problem == null; j++) {
        Column column = columns.get(j);
        try {
          values[j] = column.path == null
              ? batch.idempotencyKey(i)
              : column.type.convert(column.path.read(batch.get(i).data()));
        } catch (IllegalArgumentException e) {
          problem = "column '" + column.name + "' (" + column.type + ", from " + column.path + "): " + e.getMessage();
        }
        if (problem == null && dialect == Dialect.POSTGRESQL && column.type.isText()
            && values[j] != null && ((String) values[j]).indexOf('\0') >= 0) {
          problem = "column '" + column.name + "' (" + column.type + "): the value contains a NUL character "
              + "(U+0000), which PostgreSQL can't store in text";
        }
      }
      if (problem != null) {
        failures.put(i, RecordFailure.permanent(problem));
      } else {
        rows.add(new Row(i, values));
      }
    }
    return rows;
  }

  /** Upsert: one statement per key, the last record of each key (what sequential upserts leave). */
  private List<Row> lastPerKey(List<Row> rows) {
    Map<List<Object>, Row> last = new LinkedHashMap<>();
    for (Row row : rows) {
      Object[] key = new Object[keyIndexes.length];
      for (int k = 0; k < key.length; k++) {
        key[k] = row.values[keyIndexes[k]];
      }
      last.remove(Arrays.asList(key));
      last.put(Arrays.asList(key), row);
    }
    return last.size() == rows.size() ? rows : new ArrayList<>(last.values());
  }

  private synchronized void ensureTable(Connection c) throws SQLException {
    if (tableReady) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(createSql)) {
      ps.execute();
    }
    tableReady = true;
  }

  private void writeInOneTransaction(Connection c, List<Row> rows) throws SQLException {
    c.setAutoCommit(false);
    boolean committed = false;
    try {
      if (mode == Mode.COPY) {
        copy(c, rows);
      } else {
        try (PreparedStatement ps = c.prepareStatement(rowSql)) {
          for (Row row : rows) {
            bind(ps, row);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      c.commit();
      committed = true;
    } finally {
      if (!committed) {
        rollbackQuietly(c);
      }
      c.setAutoCommit(true);
    }
  }

  private void copy(Connection c, List<Row> rows) throws SQLException {
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
    try {
      CopyEncoder encoder = new CopyEncoder(COPY_BUFFER, (buffer, length) -> in.writeToCopy(buffer, 0, length));
      for (Row row : rows) {
        for (int j = 0; j < row.values.length; j++) {
          columns.get(j).type.writeCopy(encoder, row.values[j]);
        }
        encoder.endRow();
      }
      encoder.flush();
      in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  /**
   * After the database refused the batch for a row's data: each row in its own transaction, so
   * exactly the refused rows fail. If the connection fails meanwhile, the rows not yet written
   * are reported retryable (the ones written stay delivered).
   */
  private void writeRowByRow(Connection c, List<Row> rows, Map<Integer, RecordFailure> failures, Batch batch) {
    try (PreparedStatement ps = c.prepareStatement(rowSql)) {
      for (int r = 0; r < rows.size(); r++) {
        Row row = rows.get(r);
        try {
          bind(ps, row);
          ps.executeUpdate();
        } catch (SQLException e) {
          if (SqlFailures.classify(e) == SqlFailures.Kind.RETRYABLE) {
            retryRemaining(rows, r, failures, e);
            return;
          }
          failures.put(row.index, RecordFailure.permanent("destination '" + name + "': " + table
              + " refused the row of record '" + batch.get(row.index).key() + "': " + SqlFailures.describe(e)));
        }
      }
    } catch (SQLException e) {
      retryRemaining(rows, 0, failures, e);
    }
  }

  private void retryRemaining(List<Row> rows, int from, Map<Integer, RecordFailure> failures, SQLException e) {
    String reason = "destination '" + name + "': writing to " + table + " failed: " + SqlFailures.describe(e);
    for (int r = from; r < rows.size(); r++) {
      failures.putIfAbsent(rows.get(r).index, RecordFailure.retryable(reason));
    }
  }

  private void bind(PreparedStatement ps, Row row) throws SQLException {
    for (int j = 0; j < row.values.length; j++) {
      columns.get(j).type.bind(ps, j + 1, row.values[j], dialect);
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; the pool discards it and the transaction dies with it.
    }
  }

  @Override
  public void close() {
    if (ownedPool != null) {
      ownedPool.close();
    }
  }

  @Override
  public String toString() {
    return "DatabaseDestination{" + name + ", " + table + ", " + mode.name().toLowerCase(Locale.ROOT) + "}";
  }

  /** One column of the mapping; {@code path} null means the record's idempotency key. */
  private static final class Column {
    final String name;
    final FieldPath path;
    final ColumnType type;

    Column(String name, FieldPath path, ColumnType type) {
      this.name = name;
      this.path = path;
      this.type = type;
    }
  }

  /**
   * Builds a {@link DatabaseDestination}. Each setter checks its value and names it in the error.
   * Not thread-safe.
   */
  public static final class Builder {
    private final String name;
    private String url;
    private String username;
    private String password;
    private int poolSize = 4;
    private Duration connectionTimeout = Duration.ofSeconds(10);
    private DataSource dataSource;
    private String schema;
    private String table;
    private Mode mode;
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private List<String> upsertKey = List.of();
    private String idempotencyKeyColumn;
    private boolean createTable;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    private IllegalArgumentException invalid(String what) {
      return new IllegalArgumentException("destination '" + name + "': " + what);
    }

    /**
     * Where to connect; the destination opens (and closes) its own pool.
     *
     * @param value a JDBC URL starting with {@code jdbc:postgresql:}, {@code jdbc:h2:},
     *     {@code jdbc:mysql:} or {@code jdbc:mariadb:}
     * @return this builder
     * @throws IllegalArgumentException when the URL names no supported database
     */
    public Builder url(String value) {
      Objects.requireNonNull(value, "url");
      if (Dialect.ofUrl(value).isEmpty()) {
        throw invalid("url must start with jdbc:postgresql:, jdbc:h2:, jdbc:mysql: or jdbc:mariadb:, got '"
            + JdbcUrls.redact(value) + "'");
      }
      this.url = value;
      return this;
    }

    /**
     * The database user for {@link #url}; default none.
     *
     * @param value the user name, or null
     * @return this builder
     */
    public Builder username(String value) {
      this.username = value;
      return this;
    }

    /**
     * The database password for {@link #url}; default none. Never logged.
     *
     * @param value the password, or null
     * @return this builder
     */
    public Builder password(String value) {
      this.password = value;
      return this;
    }

    /**
     * Connections in the destination's own pool (1 to 100, default 4).
     *
     * @param value the pool size
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is out of range
     */
    public Builder poolSize(int value) {
      if (value < 1 || value > 100) {
        throw invalid("poolSize must be between 1 and 100, got " + value);
      }
      this.poolSize = value;
      return this;
    }

    /**
     * How long a delivery waits for a connection before failing retryably (default 10s, at least
     * 250ms).
     *
     * @param value the timeout
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or under 250 ms
     */
    public Builder connectionTimeout(Duration value) {
      if (value == null || value.toMillis() < 250) {
        throw invalid("connectionTimeout must be at least 250ms, got " + value);
      }
      this.connectionTimeout = value;
      return this;
    }

    /**
     * A data source the host manages (and closes), instead of {@link #url}.
     *
     * @param value the data source; not closed by the destination
     * @return this builder
     */
    public Builder dataSource(DataSource value) {
      this.dataSource = Objects.requireNonNull(value, "dataSource");
      return this;
    }

    /**
     * The table's schema; default none (the table name is not qualified).
     *
     * @param value a name of letters, digits and underscores
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is not a valid identifier
     */
    public Builder schema(String value) {
      this.schema = checkName("schema", value);
      return this;
    }

    /**
     * The table to write; required.
     *
     * @param value a name of letters, digits and underscores
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is not a valid identifier
     */
    public Builder table(String value) {
      this.table = checkName("table", value);
      return this;
    }

    /**
     * How rows are written; default {@link Mode#UPSERT} when an upsert key is set, else
     * {@link Mode#INSERT}.
     *
     * @param value the mode, not null
     * @return this builder
     */
    public Builder mode(Mode value) {
      this.mode = Objects.requireNonNull(value, "mode");
      return this;
    }

    /**
     * Column {@code column} gets the value at {@code jsonPath} of each record, as {@code type}.
     *
     * @param column the column's name
     * @param jsonPath a JSONPath starting at {@code $}, e.g. {@code $.customer.id}; an indefinite
     *     path yields the array of its matches
     * @param type the column's type, not null
     * @return this builder
     * @throws IllegalArgumentException when the name or path is invalid, or the column is mapped
     *     already
     */
    public Builder column(String column, String jsonPath, ColumnType type) {
      checkName("column", column);
      Objects.requireNonNull(type, "type");
      FieldPath path;
      try {
        path = FieldPath.compile(jsonPath);
      } catch (IllegalArgumentException e) {
        throw invalid("column '" + column + "': " + e.getMessage());
      }
      addColumn(new Column(column, path, type));
      return this;
    }

    /**
     * The key of upsert mode (default: the idempotency-key column).
     *
     * @param value the key's column names
     * @return this builder
     * @throws IllegalArgumentException when a name is not a valid identifier
     */
    public Builder upsertKey(List<String> value) {
      for (String column : value) {
        checkName("upsertKey column", column);
      }
      this.upsertKey = List.copyOf(value);
      return this;
    }

    /**
     * A column that receives each record's idempotency key (text, 32 hex characters).
     *
     * @param column the column's name
     * @return this builder
     * @throws IllegalArgumentException when the name is invalid or the column is mapped already
     */
    public Builder idempotencyKeyColumn(String column) {
      checkName("idempotencyKeyColumn", column);
      addColumn(new Column(column, null, ColumnType.TEXT));
      this.idempotencyKeyColumn = column;
      return this;
    }

    /**
     * Create the table from the mapping on first delivery when it does not exist (default false).
     *
     * @param value whether to create the table
     * @return this builder
     */
    public Builder createTable(boolean value) {
      this.createTable = value;
      return this;
    }

    private void addColumn(Column column) {
      String folded = column.name.toLowerCase(Locale.ROOT);
      if (columns.keySet().stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).equals(folded))) {
        throw invalid("column '" + column.name + "' is mapped twice");
      }
      columns.put(column.name, column);
    }

    private String checkName(String what, String value) {
      if (value == null || !Dialect.IDENTIFIER.matcher(value).matches()) {
        throw invalid(what + " must be letters, digits and underscores, starting with a letter or "
            + "underscore, at most 63 characters; got '" + value + "'");
      }
      return value;
    }

    /**
     * Checks the settings and builds the destination (with its own pool when configured by URL).
     *
     * @return the destination; closing it closes the pool it made for {@link #url}
     * @throws IllegalArgumentException when the combination does not work (no table, no columns,
     *     upsert without key, COPY on another database than PostgreSQL, ...)
     */
    public DatabaseDestination build() {
      if (table == null) {
        throw invalid("table is required");
      }
      if (columns.isEmpty()) {
        throw invalid("at least one column mapping is required");
      }
      if ((url == null) == (dataSource == null)) {
        throw invalid("give either a url or a data source");
      }
      if (mode == null) {
        mode = upsertKey.isEmpty() ? Mode.INSERT : Mode.UPSERT;
      }
      if (mode == Mode.UPSERT && upsertKey.isEmpty()) {
        if (idempotencyKeyColumn == null) {
          throw invalid("upsert mode needs upsertKey (or an idempotencyKeyColumn to upsert by)");
        }
        upsertKey = List.of(idempotencyKeyColumn);
      }
      if (mode != Mode.UPSERT && !upsertKey.isEmpty()) {
        throw invalid("upsertKey " + upsertKey + " only applies to mode upsert, not " + mode.name().toLowerCase(Locale.ROOT));
      }
      for (String key : upsertKey) {
        if (!columns.containsKey(key)) {
          throw invalid("upsertKey column '" + key + "' is not one of the mapped columns " + columns.keySet());
        }
      }
      if (url != null) {
        Dialect dialect = Dialect.ofUrl(url).orElseThrow();
        checkCopy(dialect);
        // reWriteBatchedInserts lets pgjdbc send a batch as multi-row INSERTs: much faster.
        Map<String, String> properties = dialect == Dialect.POSTGRESQL
            ? Map.of("reWriteBatchedInserts", "true") : Map.of();
        HikariDataSource pool = Pools.create("sluice-destination-" + name, url, username, password, poolSize,
            connectionTimeout, false, properties);
        return new DatabaseDestination(this, pool, pool, dialect);
      }
      Dialect dialect;
      try (Connection c = dataSource.getConnection()) {
        dialect = Dialect.of(c);
      } catch (SQLException e) {
        throw invalid("could not connect to its data source to detect the database: " + e.getMessage());
      }
      checkCopy(dialect);
      return new DatabaseDestination(this, dataSource, null, dialect);
    }

    private void checkCopy(Dialect dialect) {
      if (mode == Mode.COPY && dialect != Dialect.POSTGRESQL) {
        throw invalid("mode copy needs PostgreSQL; the database is " + dialect.name().toLowerCase(Locale.ROOT)
            + " (use insert or upsert)");
      }
    }
  }
}
