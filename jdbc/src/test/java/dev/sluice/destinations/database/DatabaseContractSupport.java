package dev.sluice.destinations.database;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.jdbc.testing.TcpProxy;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.Destination;
import dev.sluice.testkit.DestinationContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The destination contract against a real database server, reached through a {@link TcpProxy} so
 * that an outage is a real dropped connection. Each test writes to a new table {@code
 * (id primary key, name NOT NULL, amount, ikey unique)}, {@code ikey} being the idempotency-key
 * column in insert and copy mode.
 */
abstract class DatabaseContractSupport extends DestinationContract {
  private static final AtomicInteger TABLES = new AtomicInteger();

  private TcpProxy proxy;
  private final String table = "contract_" + TABLES.incrementAndGet();

  /** Port of the real server. */
  abstract int serverPort();

  /** JDBC URL of the test database on {@code port}. */
  abstract String url(int port);

  abstract String user();

  abstract DatabaseDestination.Mode mode();

  Connection direct() throws SQLException {
    return DriverManager.getConnection(url(serverPort()), user(), "");
  }

  @BeforeEach
  void createTableAndProxy() throws SQLException {
    try (Connection c = direct(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name VARCHAR(200) NOT NULL, amount DOUBLE PRECISION,"
          + " ikey VARCHAR(64) UNIQUE)");
    }
    proxy = new TcpProxy(serverPort());
  }

  @Override
  protected Destination createDestination() {
    DatabaseDestination.Builder b = DatabaseDestination.builder("contract")
        .url(url(proxy.port())).username(user()).table(table).mode(mode())
        .connectionTimeout(Duration.ofSeconds(1))
        .column("id", "$.id", ColumnType.BIGINT)
        .column("name", "$.name", ColumnType.TEXT)
        .column("amount", "$.amount", ColumnType.DOUBLE);
    if (mode() == DatabaseDestination.Mode.UPSERT) {
      b.upsertKey(List.of("id"));
    } else {
      b.idempotencyKeyColumn("ikey"); // insert: skips rows already there; copy: just writes it
    }
    return b.build();
  }

  @AfterEach
  void closeProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Override
  protected List<ObjectNode> readBack() throws Exception {
    List<ObjectNode> rows = new ArrayList<>();
    try (Connection c = direct(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, name, amount FROM " + table + " ORDER BY id")) {
      while (rs.next()) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        row.put("id", rs.getInt("id"));
        row.put("name", rs.getString("name"));
        row.put("amount", rs.getDouble("amount"));
        rows.add(row);
      }
    }
    return rows;
  }

  /** Insert (with an idempotency-key column) and upsert are idempotent; COPY appends. */
  @Override
  protected Redelivery redelivery() {
    return mode() == DatabaseDestination.Mode.COPY ? Redelivery.NOT_IDEMPOTENT : Redelivery.DEDUPLICATED;
  }

  @Override
  protected AutoCloseable simulateOutage() {
    proxy.cutOff();
    return proxy::restore;
  }

  /** A record without a name: the table's NOT NULL refuses it (the database decides, not Sluice). */
  @Override
  protected Batch unacceptableBatch() {
    ObjectNode nameless = JsonNodeFactory.instance.objectNode().put("id", 99).put("amount", 1.0);
    return batchOf("bad", List.of(Record.of("nameless", nameless)));
  }
}
