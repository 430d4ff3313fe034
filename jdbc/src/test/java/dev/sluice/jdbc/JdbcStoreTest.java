package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.spi.PluginConfig;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.SecretKeyRecord;
import dev.sluice.store.SecretStore;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.spi.PluginKind;
import dev.sluice.store.ConfigDocument;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, errors and the provider of the JDBC store. */
class JdbcStoreTest {

  @Test
  void defaultsAreTheEmbeddedH2FileUnderData() {
    JdbcStoreOptions defaults = JdbcStoreOptions.defaults();
    assertThat(defaults.url()).isEqualTo("jdbc:h2:file:./data/sluice");
    assertThat(defaults.migrate()).isTrue();
    assertThat(defaults.poolSize()).isEqualTo(5);
  }

  @Test
  void anEmbeddedH2StoreWritesEachCommitAtOnceUnlessTheUrlSaysOtherwise() {
    assertThat(JdbcStore.durableH2("jdbc:h2:file:./data/sluice")).isEqualTo("jdbc:h2:file:./data/sluice;WRITE_DELAY=0");
    assertThat(JdbcStore.durableH2("jdbc:h2:./x;MODE=PostgreSQL")).isEqualTo("jdbc:h2:./x;MODE=PostgreSQL;WRITE_DELAY=0");
    assertThat(JdbcStore.durableH2("jdbc:h2:file:./x;write_delay=500")).isEqualTo("jdbc:h2:file:./x;write_delay=500");
    assertThat(JdbcStore.durableH2("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
    assertThat(JdbcStore.durableH2("jdbc:h2:tcp://db/x")).isEqualTo("jdbc:h2:tcp://db/x");
    assertThat(JdbcStore.durableH2("jdbc:postgresql://db/x")).isEqualTo("jdbc:postgresql://db/x");
  }

  @Test
  void theOpenedH2FileStoreReallyHasNoWriteDelay(@TempDir Path dir) throws Exception {
    String url = "jdbc:h2:file:" + dir.resolve("state").toAbsolutePath();
    // A second connection in this JVM joins the database the store opened (H2 keeps one per file),
    // so it sees the database's setting, not one of its own URL.
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(url).build());
        java.sql.Connection c = java.sql.DriverManager.getConnection(url);
        java.sql.ResultSet rs = c.createStatement().executeQuery(
            "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("0");
    }
  }

  @Test
  void optionsRejectBadValuesNamingThemAndNeverShowThePassword() {
    assertThatThrownBy(() -> JdbcStoreOptions.builder().poolSize(0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> JdbcStoreOptions.builder().url("postgres://u:hunter2@db/x"))
        .hasMessageContaining("jdbc:").hasMessageNotContaining("hunter2");
    JdbcStoreOptions options = JdbcStoreOptions.builder()
        .url("jdbc:postgresql://db/sluice?user=u&password=hunter2").password("s3cret").build();
    assertThat(options.toString()).doesNotContain("hunter2", "s3cret").contains("****");
  }

  @Test
  void anUnreachableDatabaseIsAClearErrorWithoutThePassword() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertThatThrownBy(() -> JdbcStore.open(JdbcStoreOptions.builder()
        .url("jdbc:postgresql://127.0.0.1:" + closedPort + "/sluice?password=hunter2")
        .connectionTimeout(Duration.ofMillis(500)).build()))
        .isInstanceOf(JdbcStoreException.class)
        .hasMessageContaining("could not connect to the store database jdbc:postgresql://127.0.0.1:" + closedPort)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void theInjectedClockStampsWrites() {
    Clock fixed = Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC);
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder()
        .url("jdbc:h2:mem:clock;DB_CLOSE_DELAY=-1").clock(fixed).build())) {
      ConfigDocument doc = store.pipelines().orElseThrow().put(ConfigDocument.Kind.RULE, "r", JsonNodeFactory.instance.objectNode(), 0);
      assertThat(doc.updatedAt()).isEqualTo(fixed.instant());
      assertThat(store.pipelines().orElseThrow().get(ConfigDocument.Kind.RULE, "r").orElseThrow().updatedAt())
          .isEqualTo(fixed.instant());
    }
  }

  @Test
  void theProviderIsDiscoveredAsTypeJdbcAndOpensAMigratedStore(@TempDir Path dir) {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    assertThat(registry.find(PluginKind.STORE, "jdbc")).isPresent();
    try (Sluice sluice = Sluice.builder().build()) {
      assertThat(sluice.plugins().find(PluginKind.STORE, "jdbc")).isPresent();
    }
    JdbcStoreProvider provider = new JdbcStoreProvider();
    assertThat(provider.configSchema().has("required")).as("every option has a default").isFalse();
    assertThat(provider.configSchema().at("/properties/url/default").asText()).isEqualTo("jdbc:h2:file:./data/sluice");
    assertThat(provider.configSchema().at("/properties/password/writeOnly").asBoolean()).isTrue();

    DefaultPluginContext context = new DefaultPluginContext("store", PluginKind.STORE, Clock.systemUTC(),
        new SimpleMeterRegistry(), new ObjectMapper(), new InMemoryStore());
    try (Store store = provider.create(PluginConfig.of("store (type jdbc)",
        Map.of("url", "jdbc:h2:file:" + dir.resolve("state"), "poolSize", 2)), context)) {
      SecretStore secrets = store.secrets().orElseThrow();
      secrets.replaceKey(null, new SecretKeyRecord("k1", "$test"), Map.of());
      secrets.put("k1", "token", new byte[] {1, 2});
      assertThat(secrets.names()).containsExactly("token");
    }
    assertThatThrownBy(() -> provider.create(PluginConfig.of("store (type jdbc)",
        Map.of("url", "postgres://u:hunter2@db/x")), context))
        .hasMessageContaining("option 'url'").hasMessageNotContaining("hunter2");
  }

  @Test
  void aStoreOnTheHostsDataSourceMigratesOnRequestAndLeavesThePoolOpen() throws Exception {
    try (com.zaxxer.hikari.HikariDataSource pool = dev.sluice.jdbc.internal.Pools.create("host",
        "jdbc:h2:mem:host;DB_CLOSE_DELAY=-1", null, null, 2, Duration.ofSeconds(5), true, Map.of())) {
      JdbcStore store = JdbcStore.forDataSource(pool, Clock.systemUTC());
      assertThat(store.migrate()).isEqualTo(10);
      store.checkpoints().commit("p", dev.sluice.record.Checkpoint.of("records", 3), null,
          dev.sluice.store.RunRecord.started("r", "p", "api", Instant.EPOCH));
      store.close();
      assertThat(pool.isClosed()).isFalse();
      try (JdbcStore again = JdbcStore.forDataSource(pool, Clock.systemUTC())) {
        assertThat(again.migrate()).isZero();
        assertThat(again.checkpoints().load("p")).contains(dev.sluice.record.Checkpoint.of("records", 3));
      }
    }
  }
}
