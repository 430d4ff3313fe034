package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.config.LoadedConfig;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.schedule.RunHandle;
import dev.sluice.store.InMemoryStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration in application contexts built from properties, as a host would write them. */
@Timeout(120)
class SluiceAutoConfigurationTest {
  @TempDir Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class));

  /** A file → file pipeline over three orders, in memory. */
  private String[] fileToFile() throws Exception {
    String[] all = withoutStore();
    String[] out = new String[all.length + 1];
    out[0] = "sluice.store.type=memory";
    System.arraycopy(all, 0, out, 1, all.length);
    return out;
  }

  /** {@link #fileToFile()} without a store section. */
  private String[] withoutStore() throws Exception {
    Path in = dir.resolve("orders.jsonl");
    Files.writeString(in, """
        {"id":"o-1","amount":120}
        {"id":"o-2","amount":2400}
        {"id":"o-3","amount":75}
        """, StandardCharsets.UTF_8);
    return new String[] {
        "sluice.destinations.big.type=file",
        "sluice.destinations.big.path=" + dir.resolve("big.jsonl"),
        "sluice.destinations.all.type=file",
        "sluice.destinations.all.path=" + dir.resolve("all.jsonl"),
        "sluice.destinations.all.delivery.batchSize=2",
        "sluice.pipelines.orders.source.type=file",
        "sluice.pipelines.orders.source.path=" + in,
        "sluice.pipelines.orders.source.key=id",
        "sluice.pipelines.orders.rules[0].name=big",
        "sluice.pipelines.orders.rules[0].when=$.amount > 1000",
        "sluice.pipelines.orders.rules[0].to[0]=big",
        "sluice.pipelines.orders.rules[1].name=all",
        "sluice.pipelines.orders.rules[1].to=all"};
  }

  @Test
  void sluiceBeanIsBuiltFromProperties() throws Exception {
    runner.withPropertyValues(fileToFile()).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Sluice.class).hasSingleBean(SluiceLifecycle.class);
      Sluice sluice = context.getBean(Sluice.class);
      assertThat(sluice.pipelineNames()).containsExactly("orders");
      assertThat(sluice.store()).isInstanceOf(InMemoryStore.class);
      // batchSize came in as the text "2" and was read as the integer the schema wants.
      assertThat(sluice.definition().destinations().get("all").delivery().batchSize()).isEqualTo(2);
      assertThat(sluice.isStarted()).as("started with the context").isTrue();

      RunReport report = sluice.run("orders");
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(report.recordsRead()).isEqualTo(3);
      assertThat(Files.readAllLines(dir.resolve("big.jsonl"))).hasSize(1).first().asString().contains("o-2");
      assertThat(Files.readAllLines(dir.resolve("all.jsonl"))).hasSize(3);
    });
  }

  @Test
  void invalidConfigurationFailsStartUpNamingTheProperty() throws Exception {
    runner.withPropertyValues(fileToFile())
        .withPropertyValues("sluice.pipelines.orders.source.type=fiel", "sluice.destinations.big.delivery.batchSize=zero")
        .run(context -> {
          assertThat(context).hasFailed();
          Throwable root = context.getStartupFailure();
          while (!(root instanceof SluiceConfigurationException) && root.getCause() != null) {
            root = root.getCause();
          }
          assertThat(root).isInstanceOf(SluiceConfigurationException.class);
          SluiceConfigurationException e = (SluiceConfigurationException) root;
          assertThat(e.problems()).anySatisfy(p -> assertThat(p)
              .startsWith("sluice.pipelines.orders.source.type").contains("fiel").contains("file"));
          assertThat(e.problems()).anySatisfy(p -> assertThat(p)
              .startsWith("sluice.destinations.big.delivery.batchSize").contains("integer"));
          assertThat(e.getMessage()).doesNotContain(System.getProperty("java.io.tmpdir") + "/sluice-spring");
        });
  }

  @Test
  void unknownKeyIsNamedWithASuggestion() throws Exception {
    runner.withPropertyValues(fileToFile()).withPropertyValues("sluice.pipelines.orders.trigers[0].cron=@daily")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause().isInstanceOf(SluiceConfigurationException.class)
              .hasMessageContaining("sluice.pipelines.orders.trigers").hasMessageContaining("did you mean 'triggers'");
        });
  }

  @Test
  void configLocationIsLoadedAndPropertiesWinOverIt() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n", StandardCharsets.UTF_8);
    Path yaml = dir.resolve("sluice.yaml");
    Files.writeString(yaml, """
        store: { type: memory }
        destinations:
          out: { type: file, path: "%s" }
        pipelines:
          copy:
            source: { type: file, path: "%s", key: id }
            rules:
              - name: all
                to: [out]
        """.formatted(dir.resolve("from-file.jsonl"), in), StandardCharsets.UTF_8);
    runner.withPropertyValues("sluice.config-location=file:" + yaml,
        "sluice.destinations.out.path=" + dir.resolve("from-properties.jsonl")).run(context -> {
          assertThat(context).hasNotFailed();
          Sluice sluice = context.getBean(Sluice.class);
          assertThat(sluice.run("copy").recordsRead()).isEqualTo(2);
          assertThat(dir.resolve("from-file.jsonl")).doesNotExist();
          assertThat(Files.readAllLines(dir.resolve("from-properties.jsonl"))).hasSize(2);
        });
  }

  @Test
  void problemsInTheConfigFileNameTheFileAndLine() throws Exception {
    Path yaml = dir.resolve("broken.yaml");
    Files.writeString(yaml, """
        store: { type: memory }
        pipelines:
          copy:
            source: { type: nope }
        """, StandardCharsets.UTF_8);
    runner.withPropertyValues("sluice.config-location=file:" + yaml).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().isInstanceOf(SluiceConfigurationException.class)
          .hasMessageContaining(yaml + ":4:").hasMessageContaining("/pipelines/copy/source/type");
    });
  }

  @Test
  void springPlaceholdersAreResolvedAndSluiceVariablesAreLeftToSluice() throws Exception {
    runner.withPropertyValues(fileToFile())
        .withPropertyValues("app.out=" + dir.resolve("spring"), "OUT_NAME=env.jsonl",
            "sluice.destinations.big.path=${app.out}-${env:OUT_NAME}",
            "sluice.destinations.all.path=${app.missing}")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause()
              .hasMessageContaining("sluice.destinations.all.path: the Spring placeholder ${app.missing} can't be resolved");
        });
    runner.withPropertyValues(fileToFile())
        .withPropertyValues("app.out=" + dir.resolve("spring"), "OUT_NAME=env.jsonl",
            "sluice.destinations.big.path=${app.out}-${env:OUT_NAME}")
        .run(context -> {
          assertThat(context).hasNotFailed();
          context.getBean(Sluice.class).run("orders");
          assertThat(dir.resolve("spring-env.jsonl")).exists();
        });
  }

  @Test
  void hostDataSourceIsTheStore() throws Exception {
    runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withPropertyValues(withoutStore()) // no store: the starter picks the data source
        .withPropertyValues(
            "spring.datasource.url=jdbc:h2:mem:host-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1",
            "spring.datasource.username=sa")
        .run(context -> {
          assertThat(context).hasNotFailed();
          Sluice sluice = context.getBean(Sluice.class);
          assertThat(sluice.store()).isInstanceOf(JdbcStore.class);
          String runId = sluice.run("orders").runId();
          try (Connection c = context.getBean(DataSource.class).getConnection(); Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT status FROM sluice_runs WHERE id = '" + runId + "'")) {
            assertThat(rs.next()).as("the run is in the host's database").isTrue();
            assertThat(rs.getString(1)).isEqualTo("SUCCEEDED");
          }
        });
  }

  @Test
  void anExplicitStoreWinsOverTheHostDataSource() throws Exception {
    runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withPropertyValues(fileToFile())
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:other-" + System.nanoTime())
        .run(context -> assertThat(context.getBean(Sluice.class).store()).isInstanceOf(InMemoryStore.class));
  }

  @Test
  void hostMeterRegistryGetsSluiceMeters() throws Exception {
    runner.withPropertyValues(fileToFile()).withUserConfiguration(Registries.class).run(context -> {
      assertThat(context).hasNotFailed();
      context.getBean(Sluice.class).run("orders");
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.find("sluice.records.delivered").tag("pipeline", "orders").tag("destination", "all")
          .counter()).isNotNull().satisfies(c -> assertThat(c.count()).isEqualTo(3.0));
      assertThat(context.getBean(Registries.class).observed.get()).as("runs are observed").isNotNull();
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class Registries {
    final AtomicReference<String> observed = new AtomicReference<>();

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    ObservationRegistry observationRegistry() {
      ObservationRegistry r = ObservationRegistry.create();
      r.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
        @Override
        public void onStart(io.micrometer.observation.Observation.Context context) {
          observed.compareAndSet(null, context.getName());
        }

        @Override
        public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
          return true;
        }
      });
      return r;
    }
  }

  @Test
  void backsOffWhenTheApplicationHasItsOwnSluice() throws Exception {
    runner.withPropertyValues(fileToFile()).withUserConfiguration(OwnSluice.class).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Sluice.class).doesNotHaveBean(LoadedConfig.class);
      assertThat(context.getBean(Sluice.class).pipelineNames()).containsExactly("mine");
      assertThat(context).hasSingleBean(SluiceLifecycle.class);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnSluice {
    @Bean(destroyMethod = "close")
    Sluice mySluice() {
      return Sluice.builder().destination("log", "log", java.util.Map.of())
          .pipeline("mine", p -> p.source("webhook", java.util.Map.of()).route(r -> r.to("log"))).build();
    }
  }

  @Test
  void disabledMeansNoBeans() throws Exception {
    runner.withPropertyValues(fileToFile()).withPropertyValues("sluice.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Sluice.class));
  }

  @Test
  void customizersAndProviderBeansAreUsed() throws Exception {
    runner.withPropertyValues(fileToFile()).withPropertyValues("sluice.destinations.gated.type=gate",
            "sluice.pipelines.orders.rules[1].to=gated")
        .withBean(GateDestinationProvider.class, GateDestinationProvider::new)
        .withBean(SluiceBuilderCustomizer.class, () -> b -> b.nodeId("customized-node"))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(Sluice.class).nodeId()).isEqualTo("customized-node");
          assertThat(context.getBean(Sluice.class).definition().destinations().get("gated").spec().type())
              .isEqualTo("gate");
        });
  }

  @Test
  void stoppingTheContextDrainsTheRunInProgress() throws Exception {
    GateDestinationProvider gate = new GateDestinationProvider();
    AtomicReference<RunHandle> handle = new AtomicReference<>();
    AtomicReference<SluiceLifecycle> lifecycle = new AtomicReference<>();
    AtomicReference<Throwable> closeFailure = new AtomicReference<>();
    runner.withPropertyValues(fileToFile())
        .withPropertyValues("sluice.destinations.gated.type=gate", "sluice.pipelines.orders.rules[1].to=gated",
            "sluice.shutdown-timeout=60s")
        .withBean(GateDestinationProvider.class, () -> gate)
        .run(context -> {
          assertThat(context).hasNotFailed();
          lifecycle.set(context.getBean(SluiceLifecycle.class));
          handle.set(context.getBean(Sluice.class).trigger("orders"));
          assertThat(gate.entered.await(30, TimeUnit.SECONDS)).as("a batch reached the destination").isTrue();
          // Close the context on another thread while the batch is held at the gate.
          Thread closer = new Thread(() -> {
            try {
              context.close();
            } catch (Throwable t) {
              closeFailure.set(t);
            }
          });
          closer.start();
          while (lifecycle.get().isRunning()) {
            Thread.onSpinWait();
          }
          assertThat(handle.get().isDone()).as("the run is still delivering while the context stops").isFalse();
          gate.open.countDown();
          closer.join(60_000);
          assertThat(closer.isAlive()).isFalse();
        });
    assertThat(closeFailure.get()).isNull();
    RunReport report = handle.get().await(Duration.ofSeconds(10)).orElseThrow();
    assertThat(report.recordsRead()).isEqualTo(3);
    assertThat(report.undelivered()).as("nothing read was abandoned").isZero();
    assertThat(report.destinations().get("gated").delivered()).isEqualTo(3);
    // Every delivery finished before the destination was closed.
    List<String> events = gate.events;
    assertThat(events).last().isEqualTo("close");
    assertThat(events).doesNotContain("gate never opened");
    assertThat(events.subList(0, events.size() - 1)).allMatch(e -> e.startsWith("deliver"));
  }

  @Test
  void classpathConfigLocationKeepsYamlTypes() throws Exception {
    runner.withPropertyValues("sluice.config-location=classpath:sluice-test.yaml").run(context -> {
      assertThat(context).hasNotFailed();
      Sluice sluice = context.getBean(Sluice.class);
      assertThat(sluice.pipelineNames()).containsExactly("hooks");
      assertThat(sluice.definition().destinations().get("console").spec().options().get("maxChars").intValue())
          .isEqualTo(80);
    });
  }

  @Test
  void processPropertiesOutsideTheModelAreIgnoredButApplicationPropertiesAreChecked() throws Exception {
    String key = "sluice.some-tool.flag";
    System.setProperty(key, "1"); // as -Dsluice.fuzz.skip=true or SLUICE_MASTER_KEY would be
    try {
      runner.withPropertyValues(fileToFile()).run(context -> assertThat(context).hasNotFailed());
      runner.withPropertyValues(fileToFile()).withPropertyValues("sluice.pipline.x=1").run(context -> {
        assertThat(context).hasFailed();
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sluice.pipline")
            .hasMessageContaining("unknown key 'pipline'").hasMessageContaining("did you mean 'pipelines'")
            .hasMessageNotContaining("some-tool");
      });
    } finally {
      System.clearProperty(key);
    }
  }

  @Test
  void withTwoDataSourcesAndNoPrimaryTheStoreIsNotGuessed() throws Exception {
    runner.withPropertyValues(withoutStore())
        .withPropertyValues("sluice.store.type=jdbc", "sluice.store.url=jdbc:h2:file:" + dir.resolve("own"))
        .withBean("first", DataSource.class, () -> h2("first"))
        .withBean("second", DataSource.class, () -> h2("second"))
        .run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(DataSourceStoreProvider.class);
          assertThat(context.getBean(Sluice.class).store()).isInstanceOf(JdbcStore.class);
          assertThat(dir.resolve("own.mv.db")).as("the store of the configuration, not a guessed data source").exists();
        });
    runner.withPropertyValues(withoutStore())
        .withPropertyValues("sluice.store.type=datasource")
        .withBean("first", DataSource.class, () -> h2("first"))
        .withBean("second", DataSource.class, () -> h2("second"))
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("sluice.store.type").hasMessageContaining("'datasource' is not one of"));
  }

  private static DataSource h2(String name) {
    org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
    ds.setURL("jdbc:h2:mem:" + name + "-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
    return ds;
  }
}
