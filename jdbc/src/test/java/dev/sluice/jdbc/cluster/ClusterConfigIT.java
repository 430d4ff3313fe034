package dev.sluice.jdbc.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Sluice;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.InvalidConfigException;
import dev.sluice.config.LoadedConfig;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.store.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster: { enabled: true }} in a configuration file makes nodes share one schedule. */
@Timeout(120)
class ClusterConfigIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  @TempDir Path dir;

  private final ConfigLoader loader =
      ConfigLoader.create(ProviderRegistry.discover(getClass().getClassLoader(), List.of()));

  private Path config(String store, String node) throws Exception {
    Files.writeString(dir.resolve("in.jsonl"), "{\"id\":1}\n");
    Path p = dir.resolve(node + ".yaml");
    Files.writeString(p, """
        store: { jdbc: "%s", username: postgres }
        cluster: { enabled: true, node: %s, pollingInterval: 200ms }
        destinations:
          out: { type: log }
        pipelines:
          tick:
            source: { type: file, path: %s, key: id }
            triggers: [ { cron: "* * * * * ?", syntax: quartz } ]
            rules: [ { to: out } ]
        """.formatted(store, node, dir.resolve("in.jsonl")));
    return p;
  }

  @Test
  void twoNodesFromOneConfigurationRunEachCronTimeOnce() throws Exception {
    String url = PG.server().jdbcUrl(PG.server().createDatabase());
    try (LoadedConfig a = loader.load(List.of(config(url, "node-a")));
        LoadedConfig b = loader.load(List.of(config(url, "node-b")))) {
      assertThat(a.cluster()).isPresent();
      assertThat(b.cluster()).isPresent();
      long started = System.nanoTime();
      try (Sluice one = a.builder().build().start(); Sluice two = b.builder().build().start()) {
        Thread.sleep(Duration.ofSeconds(5).toMillis());
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      List<RunRecord> runs = a.store().runs().list("tick", 1000);
      // One run a second across both nodes, not two: each cron time fires on one node only.
      assertThat(runs.size()).as("runs in %.1f s", seconds).isBetween(2, (int) Math.ceil(seconds) + 1);
    }
  }

  @Test
  void anEmbeddedDatabaseCantCoordinateACluster() throws Exception {
    String h2 = "jdbc:h2:file:" + dir.resolve("db/sluice");
    assertThatThrownBy(() -> loader.load(List.of(config(h2, "solo"))))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("/cluster/enabled: ")
        .hasMessageContaining("embedded H2 database")
        .hasMessageContaining("PostgreSQL, MySQL or MariaDB");
  }
}
