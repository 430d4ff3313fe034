package dev.sluice.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.database.ColumnType;
import dev.sluice.destinations.database.DatabaseDestination;
import dev.sluice.jdbc.testing.TestPostgres;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Loads 1,000,000 rows of 8 columns into an embedded PostgreSQL, four ways, in one run:
 *
 * <ul>
 *   <li>{@code sluiceCopy}: the {@code database} destination in COPY mode, fed {@link Record}s
 *       (JSON) in batches, mapping columns by JSONPath and converting types;
 *   <li>{@code sluiceUpsert}: the same destination in upsert mode ({@code ON CONFLICT (id)});
 *   <li>{@code rawCopy}: hand-written pgjdbc {@code CopyManager} code writing the same rows from
 *       plain Java values;
 *   <li>{@code rawBatchedInsert}: hand-written batched {@code INSERT} with {@code
 *       reWriteBatchedInserts=true}.
 * </ul>
 *
 * <p>Every way commits once per {@value #BATCH} rows and starts from an empty table with a primary
 * key. Input is built before measuring: JSON records for Sluice, typed Java rows for the raw code.
 * The score is rows per second ({@code @OperationsPerInvocation} = rows per load).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(DatabaseLoadBenchmark.ROWS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms6g", "-Xmx6g"})
public class DatabaseLoadBenchmark {
  static final int ROWS = 1_000_000;
  static final int BATCH = 5_000;
  private static final String COLUMNS = "id, created_at, customer, email, country, amount, quantity, paid";

  private TestPostgres postgres;
  private String url;
  private List<Batch> batches;
  private List<Object[]> rows;
  private DatabaseDestination copy;
  private DatabaseDestination upsert;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    // Same server settings for all four ways. Autovacuum would analyze the fresh million rows
    // while the next load runs and make the figures swing; larger WAL avoids mid-load checkpoints.
    postgres = TestPostgres.start(Map.of("autovacuum", "off", "max_wal_size", "4GB", "checkpoint_timeout", "30min"));
    url = postgres.jdbcUrl(postgres.createDatabase());
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, customer TEXT, "
          + "email TEXT, country TEXT, amount NUMERIC(12, 2), quantity INTEGER, paid BOOLEAN)");
    }
    Random random = new Random(42);
    String[] countries = {"DE", "FR", "NL", "PL", "ES", "IT"};
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    batches = new ArrayList<>();
    rows = new ArrayList<>(ROWS);
    List<Record> batch = new ArrayList<>(BATCH);
    JsonNodeFactory f = JsonNodeFactory.instance;
    for (int i = 1; i <= ROWS; i++) {
      Instant created = start.plusSeconds(i * 7L);
      String name = "Customer \"" + (i % 9973) + "\" O'Neil";
      String email = "c" + (i % 9973) + "@example.com";
      String country = countries[random.nextInt(countries.length)];
      BigDecimal amount = BigDecimal.valueOf(random.nextInt(1_000_000), 2);
      int quantity = 1 + random.nextInt(9);
      boolean paid = random.nextBoolean();
      ObjectNode data = f.objectNode().put("id", i).put("createdAt", created.toString());
      data.putObject("customer").put("name", name).put("email", email).put("country", country);
      data.put("amount", amount).put("quantity", quantity).put("paid", paid);
      batch.add(Record.of(Integer.toString(i), data));
      if (batch.size() == BATCH) {
        batches.add(Batch.of("bench", "orders", "run", batch));
        batch = new ArrayList<>(BATCH);
      }
      rows.add(new Object[] {(long) i, OffsetDateTime.ofInstant(created, ZoneOffset.UTC), name, email, country,
          amount, quantity, paid});
    }
    copy = destination(DatabaseDestination.Mode.COPY);
    upsert = destination(DatabaseDestination.Mode.UPSERT);
  }

  private DatabaseDestination destination(DatabaseDestination.Mode mode) {
    DatabaseDestination.Builder b = DatabaseDestination.builder("bench-" + mode).url(url).username("postgres")
        .table("orders").mode(mode).poolSize(1)
        .column("id", "$.id", ColumnType.BIGINT)
        .column("created_at", "$.createdAt", ColumnType.TIMESTAMP)
        .column("customer", "$.customer.name", ColumnType.TEXT)
        .column("email", "$.customer.email", ColumnType.TEXT)
        .column("country", "$.customer.country", ColumnType.TEXT)
        .column("amount", "$.amount", ColumnType.NUMERIC)
        .column("quantity", "$.quantity", ColumnType.INTEGER)
        .column("paid", "$.paid", ColumnType.BOOLEAN);
    if (mode == DatabaseDestination.Mode.UPSERT) {
      b.upsertKey(List.of("id"));
    }
    return b.build();
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url + "?reWriteBatchedInserts=true", "postgres", "");
  }

  @Setup(Level.Invocation)
  public void emptyTable() throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("TRUNCATE orders");
      s.execute("CHECKPOINT");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    copy.close();
    upsert.close();
    postgres.close();
  }

  @Benchmark
  public long sluiceCopy() throws Exception {
    return deliverAll(copy);
  }

  @Benchmark
  public long sluiceUpsert() throws Exception {
    return deliverAll(upsert);
  }

  private long deliverAll(DatabaseDestination destination) throws Exception {
    long delivered = 0;
    for (Batch b : batches) {
      DeliveryResult result = destination.deliver(b);
      if (!result.isSuccess()) {
        throw new IllegalStateException("benchmark batch failed: " + result);
      }
      delivered += b.size();
    }
    return delivered;
  }

  @Benchmark
  public long rawCopy() throws Exception {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      PGConnection pg = c.unwrap(PGConnection.class);
      StringBuilder text = new StringBuilder(1 << 17);
      for (int from = 0; from < ROWS; from += BATCH) {
        CopyIn in = pg.getCopyAPI().copyIn("COPY orders (" + COLUMNS + ") FROM STDIN");
        for (int i = from; i < from + BATCH; i++) {
          Object[] r = rows.get(i);
          text.append(r[0]).append('\t').append(r[1]).append('\t');
          escape(text, (String) r[2]);
          text.append('\t');
          escape(text, (String) r[3]);
          text.append('\t').append(r[4]).append('\t').append(((BigDecimal) r[5]).toPlainString())
              .append('\t').append(r[6]).append('\t').append((Boolean) r[7] ? 't' : 'f').append('\n');
          if (text.length() > 60_000) {
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            in.writeToCopy(bytes, 0, bytes.length);
            text.setLength(0);
          }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        text.setLength(0);
        in.endCopy();
        c.commit();
      }
    }
    return ROWS;
  }

  /** COPY text escaping for values that may hold backslashes or control characters. */
  private static void escape(StringBuilder out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          out.append(ch);
      }
    }
  }

  @Benchmark
  public long rawBatchedInsert() throws Exception {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("INSERT INTO orders (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (int from = 0; from < ROWS; from += BATCH) {
        for (int i = from; i < from + BATCH; i++) {
          Object[] r = rows.get(i);
          ps.setLong(1, (Long) r[0]);
          ps.setObject(2, r[1]);
          ps.setString(3, (String) r[2]);
          ps.setString(4, (String) r[3]);
          ps.setString(5, (String) r[4]);
          ps.setBigDecimal(6, (BigDecimal) r[5]);
          ps.setInt(7, (Integer) r[6]);
          ps.setBoolean(8, (Boolean) r[7]);
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      }
    }
    return ROWS;
  }
}
