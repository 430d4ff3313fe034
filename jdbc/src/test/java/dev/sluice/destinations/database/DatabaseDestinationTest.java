package dev.sluice.destinations.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.destinations.database.DatabaseDestination.Mode;
import dev.sluice.jdbc.testing.MariaDbExtension;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.pipeline.RunReport;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the database destination writes, refuses and classifies, on H2 and PostgreSQL. */
class DatabaseDestinationTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  @RegisterExtension static final MariaDbExtension MARIADB = new MariaDbExtension();

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AtomicInteger TABLES = new AtomicInteger();

  /** Strings that break naive SQL or COPY building. */
  static final List<String> HOSTILE = List.of(
      "it's \"quoted\"",
      "'); DROP TABLE victims; --",
      "back\\slash \\N \\. \\\\ end\\",
      "line1\nline2\r\nline3",
      "tab\there\tand\\there",
      "\\.",
      "",
      "Grüße € 漢字 🎉 \uD83D\uDE00",
      "semi;colon, comma \"dq\" 'sq' $1 ? :name");

  abstract static class Contract {
    final String table = "t_" + TABLES.incrementAndGet();

    abstract String url();

    abstract String user();

    abstract boolean postgres();

    Connection direct() throws SQLException {
      return DriverManager.getConnection(url(), user(), "");
    }

    void sql(String statement) throws SQLException {
      try (Connection c = direct(); Statement s = c.createStatement()) {
        s.execute(statement);
      }
    }

    List<Map<String, Object>> rows(String query) throws SQLException {
      List<Map<String, Object>> out = new ArrayList<>();
      try (Connection c = direct(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            Object value = rs.getObject(i);
            if (value instanceof byte[]) { // H2 returns JSON as its UTF-8 bytes
              value = new String((byte[]) value, java.nio.charset.StandardCharsets.UTF_8);
            }
            row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), value);
          }
          out.add(row);
        }
      }
      return out;
    }

    DatabaseDestination.Builder builder(Mode mode) {
      return DatabaseDestination.builder("warehouse").url(url()).username(user()).table(table).mode(mode);
    }

    List<Mode> modes() {
      return postgres() ? List.of(Mode.INSERT, Mode.UPSERT, Mode.COPY) : List.of(Mode.INSERT, Mode.UPSERT);
    }

    static Record record(String key, ObjectNode data) {
      return Record.of(key, data);
    }

    static Batch batch(Record... records) {
      return Batch.of("orders", "warehouse", "run-1", List.of(records));
    }

    @Test
    void connectionCheckNamesAMissingTableThenFindsItWithoutWriting() throws Exception {
      try (DatabaseDestination d = builder(Mode.INSERT).column("id", "$.id", ColumnType.BIGINT).build()) {
        var missing = d.checkConnection(java.time.Duration.ofSeconds(10));
        assertThat(missing.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
        assertThat(missing.message()).contains("database destination 'warehouse'").containsIgnoringCase(table)
            .contains("can't be read");
        sql("CREATE TABLE " + table + " (id BIGINT)");
        var ok = d.checkConnection(java.time.Duration.ofSeconds(10));
        assertThat(ok.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.OK);
        assertThat(ok.message()).contains("exists");
        assertThat(ok.details()).containsKey("product");
        assertThat(rows("SELECT * FROM " + table)).isEmpty();
      }
      try (DatabaseDestination later = builder(Mode.INSERT).table(table + "_later").createTable(true)
          .column("id", "$.id", ColumnType.BIGINT).build()) {
        assertThat(later.checkConnection(java.time.Duration.ofSeconds(10)).message()).contains("createTable");
      }
    }

    @Test
    void hostileValuesArriveExactlyInEveryMode() throws Exception {
      for (Mode mode : modes()) {
        String t = table + "_" + mode.name().toLowerCase(java.util.Locale.ROOT);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < HOSTILE.size(); i++) {
          ObjectNode doc = F.objectNode().put("text", HOSTILE.get(i));
          doc.putArray("list").add(HOSTILE.get(i)).add(i);
          records.add(record("k" + i, F.objectNode().put("id", i).put("text", HOSTILE.get(i))
              .put("price", "12.50").put("at", "2026-03-29T01:30:00.123456Z").put("ok", i % 2 == 0)
              .set("doc", doc)));
        }
        records.add(record("nulls", F.objectNode().put("id", 100).putNull("text")));
        try (DatabaseDestination d = DatabaseDestination.builder("warehouse").url(url()).username(user())
            .table(t).mode(mode).createTable(true)
            .column("id", "$.id", ColumnType.BIGINT)
            .column("text", "$.text", ColumnType.TEXT)
            .column("price", "$.price", ColumnType.NUMERIC)
            .column("at", "$.at", ColumnType.TIMESTAMP)
            .column("ok", "$.ok", ColumnType.BOOLEAN)
            .column("doc", "$.doc", ColumnType.JSON)
            .upsertKey(mode == Mode.UPSERT ? List.of("id") : List.of())
            .build()) {
          assertThat(d.deliver(batch(records.toArray(Record[]::new))).isSuccess()).as(mode.name()).isTrue();
        }
        List<Map<String, Object>> rows = rows("SELECT * FROM " + t + " ORDER BY id");
        assertThat(rows).as(mode.name()).hasSize(HOSTILE.size() + 1);
        for (int i = 0; i < HOSTILE.size(); i++) {
          Map<String, Object> row = rows.get(i);
          assertThat(row.get("text")).as(mode + " text " + i).isEqualTo(HOSTILE.get(i));
          assertThat(new BigDecimal(row.get("price").toString())).isEqualByComparingTo("12.50");
          assertThat(row.get("ok")).isEqualTo(i % 2 == 0);
          assertThat(instant(row.get("at"))).isEqualTo(Instant.parse("2026-03-29T01:30:00.123456Z"));
          JsonNode doc = MAPPER.readTree(row.get("doc").toString());
          assertThat(doc.get("text").asText()).as(mode + " json " + i).isEqualTo(HOSTILE.get(i));
          assertThat(doc.get("list").get(1).asInt()).isEqualTo(i);
        }
        Map<String, Object> nulls = rows.get(HOSTILE.size());
        assertThat(nulls.get("text")).isNull();
        assertThat(nulls.get("doc")).isNull();
        assertThat(nulls.get("at")).isNull();
        assertThat(rows("SELECT COUNT(*) AS n FROM " + t)).extracting(r -> ((Number) r.get("n")).intValue())
            .containsExactly(HOSTILE.size() + 1);
      }
    }

    private static Instant instant(Object value) {
      if (value instanceof java.time.OffsetDateTime) {
        return ((java.time.OffsetDateTime) value).toInstant();
      }
      if (value instanceof java.time.LocalDateTime) { // MySQL/MariaDB DATETIME, which holds UTC
        return ((java.time.LocalDateTime) value).toInstant(java.time.ZoneOffset.UTC);
      }
      return ((java.sql.Timestamp) value).toInstant();
    }

    @Test
    void reservedWordsWorkAsNamesBecauseNamesAreQuoted() throws Exception {
      try (DatabaseDestination d = builder(Mode.INSERT).table("select_" + table).createTable(true)
          .column("order", "$.order", ColumnType.TEXT)
          .column("from", "$['from']", ColumnType.BIGINT)
          .build()) {
        assertThat(d.deliver(batch(record("a", F.objectNode().put("order", "first").put("from", 7)))).isSuccess())
            .isTrue();
      }
      assertThat(rows("SELECT * FROM select_" + table)).singleElement()
          .satisfies(r -> assertThat(r).containsEntry("order", "first").containsEntry("from", 7L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"deals; DROP TABLE x", "deals\"", "a b", "x.y", "1abc", "", "t--", "t'", "tab\tle",
        "a234567890123456789012345678901234567890123456789012345678901234"})
    void hostileNamesAreRejectedBeforeAnySql(String name) {
      assertThatThrownBy(() -> DatabaseDestination.builder("warehouse").table(name))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + name + "'");
      assertThatThrownBy(() -> DatabaseDestination.builder("warehouse").column(name, "$.a", ColumnType.TEXT))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + name + "'");
      assertThatThrownBy(() -> DatabaseDestination.builder("warehouse").schema(name))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> DatabaseDestination.builder("warehouse").upsertKey(List.of(name)))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void upsertReplaysAreIdempotentAndTheLastRecordOfAKeyWins() throws Exception {
      try (DatabaseDestination d = builder(Mode.UPSERT).createTable(true).upsertKey(List.of("id"))
          .column("id", "$.id", ColumnType.BIGINT).column("amount", "$.amount", ColumnType.DOUBLE).build()) {
        Batch first = batch(record("1", F.objectNode().put("id", 1).put("amount", 10.0)),
            record("2", F.objectNode().put("id", 2).put("amount", 20.0)));
        assertThat(d.deliver(first).isSuccess()).isTrue();
        assertThat(d.deliver(first).isSuccess()).as("a replay").isTrue();
        assertThat(d.deliver(batch(record("1", F.objectNode().put("id", 1).put("amount", 11.0)),
            record("1", F.objectNode().put("id", 1).put("amount", 12.0)))).isSuccess()).isTrue();
      }
      assertThat(rows("SELECT id, amount FROM " + table + " ORDER BY id"))
          .extracting(r -> ((Number) r.get("id")).longValue() + "=" + ((Number) r.get("amount")).doubleValue())
          .containsExactly("1=12.0", "2=20.0");
    }

    @Test
    void anIdempotencyKeyColumnMakesReplaysHarmlessInEveryMode() throws Exception {
      for (Mode mode : modes()) {
        String t = table + "_idem_" + mode.name().toLowerCase(java.util.Locale.ROOT);
        Batch batch = batch(record("a", F.objectNode().put("id", 1)), record("b", F.objectNode().put("id", 2)));
        try (DatabaseDestination d = builder(mode).table(t).createTable(true).idempotencyKeyColumn("sluice_key")
            .column("id", "$.id", ColumnType.BIGINT).build()) {
          assertThat(d.deliver(batch).isSuccess()).isTrue();
          assertThat(d.deliver(batch).isSuccess()).as(mode + " replay").isTrue();
          assertThat(d.deliver(Batch.of("orders", "warehouse", "run-2",
              List.of(record("c", F.objectNode().put("id", 3)), record("a", F.objectNode().put("id", 1)))))
              .isSuccess()).as(mode + " half replay").isTrue();
        }
        assertThat(rows("SELECT id, sluice_key FROM " + t + " ORDER BY id")).as(mode.name())
            .extracting(r -> ((Number) r.get("id")).intValue() + " " + r.get("sluice_key"))
            .containsExactly("1 " + batch.idempotencyKey(0), "2 " + batch.idempotencyKey(1),
                "3 " + dev.sluice.record.IdempotencyKeys.of("orders", "c"));
      }
    }

    @Test
    void aRowTheDatabaseRefusesFailsAloneAndTheOthersAreDelivered() throws Exception {
      for (Mode mode : modes()) {
        String t = table + "_nn_" + mode.name().toLowerCase(java.util.Locale.ROOT);
        sql("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY, name VARCHAR(20) NOT NULL)");
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          ObjectNode data = F.objectNode().put("id", i);
          if (i != 2) {
            data.put("name", "n" + i);
          }
          records.add(record("r" + i, data));
        }
        DeliveryResult result;
        try (DatabaseDestination d = builder(mode).table(t).upsertKey(mode == Mode.UPSERT ? List.of("id") : List.of())
            .column("id", "$.id", ColumnType.BIGINT).column("name", "$.name", ColumnType.TEXT).build()) {
          result = d.deliver(batch(records.toArray(Record[]::new)));
        }
        assertThat(result.failures()).as(mode.name()).containsOnlyKeys(2);
        assertThat(result.failures().get(2).retryable()).isFalse();
        assertThat(result.failures().get(2).reason()).contains("r2").containsIgnoringCase("null");
        assertThat(rows("SELECT id FROM " + t + " ORDER BY id"))
            .extracting(r -> ((Number) r.get("id")).intValue()).containsExactly(0, 1, 3, 4);
      }
    }

    @Test
    void aValueThatDoesNotConvertFailsItsRecordWithTheColumnNamed() throws Exception {
      DeliveryResult result;
      try (DatabaseDestination d = builder(Mode.INSERT).createTable(true)
          .column("id", "$.id", ColumnType.BIGINT).column("at", "$.at", ColumnType.TIMESTAMP).build()) {
        result = d.deliver(batch(record("good", F.objectNode().put("id", 1).put("at", 1_700_000_000_000L)),
            record("bad-id", F.objectNode().put("id", "abc")),
            record("bad-at", F.objectNode().put("id", 3).put("at", "yesterday")),
            record("fraction", F.objectNode().put("id", 1.5))));
      }
      assertThat(result.failures()).containsOnlyKeys(1, 2, 3);
      assertThat(result.failures().get(1).reason()).contains("column 'id'", "\"abc\"");
      assertThat(result.failures().get(2).reason()).contains("column 'at'", "\"yesterday\"");
      assertThat(result.failures().values()).noneMatch(DeliveryResult.RecordFailure::retryable);
      assertThat(rows("SELECT id FROM " + table)).hasSize(1);
    }

    @Test
    void aMissingTableFailsTheBatchPermanently() {
      try (DatabaseDestination d = builder(Mode.INSERT).table("no_such_" + table)
          .column("id", "$.id", ColumnType.BIGINT).build()) {
        assertThatThrownBy(() -> d.deliver(batch(record("a", F.objectNode().put("id", 1)))))
            .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.isRetryable()).isFalse())
            .hasMessageContaining("destination 'warehouse'")
            .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("no_such_" + table));
      }
    }
  }

  @Nested
  class OnH2 extends Contract {
    @TempDir Path dir;

    @Override
    String url() {
      return "jdbc:h2:file:" + dir.resolve("warehouse");
    }

    @Override
    String user() {
      return "sa";
    }

    @Override
    boolean postgres() {
      return false;
    }

    @Test
    void nulIsStoredAsIs() throws Exception {
      try (DatabaseDestination d = builder(Mode.INSERT).createTable(true).column("text", "$.t", ColumnType.TEXT).build()) {
        assertThat(d.deliver(batch(record("a", F.objectNode().put("t", "a\u0000b")))).isSuccess()).isTrue();
      }
      assertThat(rows("SELECT * FROM " + table)).singleElement().satisfies(r -> assertThat(r.get("text")).isEqualTo("a\u0000b"));
    }

    @Test
    void copyNeedsPostgres() {
      assertThatThrownBy(() -> builder(Mode.COPY).column("id", "$.id", ColumnType.BIGINT).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("copy needs PostgreSQL");
    }
  }

  @Nested
  class OnPostgres extends Contract {
    private final String database = PG.server().createDatabase();

    @Test
    void connectionCheckFailsOnAnUnknownRoleOrAClosedPortWithoutShowingThePassword() throws Exception {
      String password = "pw" + java.util.UUID.randomUUID();
      try (DatabaseDestination d = DatabaseDestination.builder("warehouse").url(url()).username("no_such_role")
          .password(password).connectionTimeout(java.time.Duration.ofSeconds(2)).table(table)
          .column("id", "$.id", ColumnType.BIGINT).build()) {
        var r = d.checkConnection(java.time.Duration.ofSeconds(5));
        assertThat(r.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
        assertThat(r.message()).contains("can't connect to jdbc:postgresql://").contains("no_such_role")
            .doesNotContain(password);
      }
      int closed;
      try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        closed = s.getLocalPort();
      }
      String url = "jdbc:postgresql://127.0.0.1:" + closed + "/db?password=" + password;
      try (DatabaseDestination d = DatabaseDestination.builder("warehouse").url(url).username("postgres")
          .connectionTimeout(java.time.Duration.ofSeconds(1)).table(table)
          .column("id", "$.id", ColumnType.BIGINT).build()) {
        var r = d.checkConnection(java.time.Duration.ofSeconds(5));
        assertThat(r.status()).isEqualTo(dev.sluice.spi.ConnectionCheckResult.Status.FAILED);
        assertThat(r.message()).contains("127.0.0.1:" + closed).doesNotContain(password);
      }
    }

    @Override
    String url() {
      return PG.server().jdbcUrl(database);
    }

    @Override
    String user() {
      return "postgres";
    }

    @Override
    boolean postgres() {
      return true;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void nulCanNotBeStoredAndFailsOnlyItsRecord(Mode mode) throws Exception {
      String t = table + "_nul_" + mode.name().toLowerCase(java.util.Locale.ROOT);
      DeliveryResult result;
      try (DatabaseDestination d = builder(mode).table(t).createTable(true)
          .upsertKey(mode == Mode.UPSERT ? List.of("id") : List.of())
          .column("id", "$.id", ColumnType.BIGINT).column("text", "$.t", ColumnType.TEXT)
          .column("doc", "$.d", ColumnType.JSON).build()) {
        result = d.deliver(batch(record("ok", F.objectNode().put("id", 1).put("t", "fine")),
            record("nul", F.objectNode().put("id", 2).put("t", "a\u0000b")),
            record("nul-json", F.objectNode().put("id", 3).set("d", F.objectNode().put("x", "\u0000")))));
      }
      assertThat(result.failures()).containsOnlyKeys(1, 2);
      assertThat(result.failures().get(1).reason()).contains("column 'text'", "NUL");
      assertThat(result.failures().get(1).retryable()).isFalse();
      assertThat(rows("SELECT id FROM " + t)).hasSize(1);
    }
  }

  @Nested
  class OnMariaDb extends Contract {
    private final String database = MARIADB.server().createDatabase();

    @Override
    String url() {
      return MARIADB.server().jdbcUrl(database);
    }

    @Override
    String user() {
      return "root";
    }

    @Override
    boolean postgres() {
      return false;
    }
  }

  /** The provider, found through the registry, wires a whole pipeline into a table. */
  @Test
  void aPipelineWritesIntoATableThroughTheProvider(@TempDir Path dir) throws Exception {
    Path input = dir.resolve("orders.jsonl");
    Files.writeString(input, "{\"id\":1,\"customer\":{\"name\":\"Ada\"},\"amount\":12.5}\n"
        + "{\"id\":2,\"customer\":{\"name\":\"O'Brien; --\"},\"amount\":7}\n");
    String url = "jdbc:h2:file:" + dir.resolve("warehouse");
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("id", Map.of("path", "$.id", "type", "bigint"));
    columns.put("customer", "$.customer.name");
    columns.put("amount", Map.of("path", "$.amount", "type", "numeric"));
    RunReport report;
    try (Sluice sluice = Sluice.builder()
        .destination("warehouse", "database", Map.of("url", url, "username", "sa", "table", "orders", "mode", "upsert",
            "upsertKey", List.of("id"), "createTable", true, "columns", columns,
            "idempotencyKeyColumn", "sluice_key"))
        .pipeline("orders", p -> p.source("file", Map.of("path", input.toString(), "key", "id"))
            .route(r -> r.to("warehouse")))
        .build()) {
      report = sluice.run("orders");
    }
    assertThat(report.succeeded()).as(report.render()).isTrue();
    assertThat(report.delivered()).isEqualTo(2);
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        ResultSet rs = c.createStatement().executeQuery("SELECT id, customer, amount, sluice_key FROM orders ORDER BY id")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("customer")).isEqualTo("Ada");
      assertThat(rs.getBigDecimal("amount")).isEqualByComparingTo("12.5");
      assertThat(rs.getString("sluice_key")).hasSize(32);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("customer")).isEqualTo("O'Brien; --");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void configurationErrorsNameTheDestinationAndTheOption() {
    assertThatThrownBy(() -> Sluice.builder()
        .destination("warehouse", "database", Map.of("url", "jdbc:h2:mem:x", "table", "orders; drop",
            "columns", Map.of("id", "$.id")))
        .pipeline("p", p -> p.source("file", Map.of("path", "in.jsonl")).route(r -> r.to("warehouse")))
        .build())
        .hasMessageContainingAll("warehouse", "'orders; drop'");
    assertThatThrownBy(() -> Sluice.builder()
        .destination("warehouse", "database", Map.of("url", "jdbc:h2:mem:x", "table", "orders",
            "columns", Map.of("id", Map.of("path", "$.id", "type", "bigintt"))))
        .pipeline("p", p -> p.source("file", Map.of("path", "in.jsonl")).route(r -> r.to("warehouse")))
        .build())
        .hasMessageContainingAll("warehouse", "columns.id.type", "bigintt");
    assertThatThrownBy(() -> Sluice.builder()
        .destination("warehouse", "database", Map.of("url", "jdbc:h2:mem:x", "table", "orders", "mode", "upsert",
            "columns", Map.of("id", "$.id")))
        .pipeline("p", p -> p.source("file", Map.of("path", "in.jsonl")).route(r -> r.to("warehouse")))
        .build())
        .hasMessageContainingAll("warehouse", "upsertKey");
  }
}
