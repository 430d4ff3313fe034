package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.SluiceDefinition;
import dev.sluice.auth.Secrets;
import dev.sluice.delivery.DeliverySettings;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.pipeline.DestinationDefinition;
import dev.sluice.pipeline.ErrorPolicy;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.PluginSpec;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.UnmatchedPolicy;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.StoreProvider;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.MissingStoreCapabilityException;
import dev.sluice.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;
  private final Map<String, String> env = new HashMap<>();
  private final InMemoryStore shared = new InMemoryStore();

  /** A store plugin handing out one shared in-memory store, so tests can put secrets in first. */
  final class SharedStoreProvider implements StoreProvider {
    @Override
    public String type() {
      return "shared";
    }

    @Override
    public Store create(PluginConfig config, PluginContext context) {
      return shared;
    }
  }

  private ConfigLoader loader() {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of(new SharedStoreProvider()));
    return ConfigLoader.create(registry, env::get, Clock.systemUTC());
  }

  private Path file(String name, String yaml) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }

  private static final String BASE = """
      store: { type: shared }
      destinations:
        out:
          type: file
          path: %s
      pipelines:
        orders:
          source: { type: file, path: orders.jsonl }
          rules:
            - to: [out]
      """;

  private String pathOf(LoadedConfig c) {
    return c.definition().destinations().get("out").spec().options().get("path").asText();
  }

  @Test
  void environmentVariablesWithAndWithoutDefaults() throws Exception {
    env.put("OUT_DIR", "/data/out");
    try (LoadedConfig c = loader().load(List.of(file("a.yaml", BASE.formatted("${env:OUT_DIR}/orders-${env:SUFFIX:-x}.jsonl"))))) {
      assertThat(pathOf(c)).isEqualTo("/data/out/orders-x.jsonl");
    }
  }

  @Test
  void aWholeValueVariableTakesTheTypeOfWhatItResolvesTo() throws Exception {
    env.put("BATCH", "250");
    String yaml = BASE.formatted("out.jsonl").replace("    path: out.jsonl\n",
        "    path: out.jsonl\n    delivery:\n      batchSize: ${env:BATCH}\n      maxAttempts: ${env:ATTEMPTS:-7}\n");
    assertThat(yaml).contains("batchSize");
    Path f = file("a.yaml", yaml);
    try (LoadedConfig c = loader().load(List.of(f))) {
      DeliverySettings d = c.definition().destinations().get("out").delivery();
      assertThat(d.batchSize()).isEqualTo(250);
      assertThat(d.maxAttempts()).isEqualTo(7);
    }
  }

  @Test
  void numbersWithHugeExponentsStayNumbersOrTextInsteadOfThrowing() {
    // Fuzz-corpus findings: 1e2147483647 overflowed int arithmetic on precision - scale
    // (ArithmeticException), 1e2147483648 is beyond BigDecimal (NumberFormatException).
    java.util.List<ConfigProblem> problems = new java.util.ArrayList<>();
    var root = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
        .put("big", "${env:BIG:-1e2147483647}").put("beyond", "${env:BEYOND:-1e2147483648}")
        .put("small", "${env:SMALL:-12}");
    new Interpolator(env::get, null, java.util.Map.of(), problems, new java.util.HashSet<>()).apply(root, "");

    assertThat(problems).isEmpty();
    assertThat(root.get("big").isBigDecimal()).as(root.toString()).isTrue();
    assertThat(root.get("beyond").asText()).isEqualTo("1e2147483648");
    assertThat(root.get("small").isInt()).isTrue();
  }

  @Test
  void fileVariablesReadNextToTheConfigurationAndDollarDollarEscapes() throws Exception {
    Files.writeString(dir.resolve("target.txt"), "from-a-file.jsonl\n");
    try (LoadedConfig c = loader().load(List.of(file("a.yaml", BASE.formatted("\"${file:target.txt}\""))))) {
      assertThat(pathOf(c)).isEqualTo("from-a-file.jsonl");
    }
    try (LoadedConfig c = loader().load(List.of(file("b.yaml", BASE.formatted("\"$${literal}.jsonl\""))))) {
      assertThat(pathOf(c)).isEqualTo("${literal}.jsonl");
    }
  }

  @Test
  void textThatAnEnvironmentVariableOrAFileBringsInIsNotInterpolatedAgain() throws Exception {
    env.put("SLUICE_MASTER_KEY", "correct horse battery staple");
    Secrets.open(shared.secrets().orElseThrow(), "correct horse battery staple".toCharArray())
        .put("out_path", "s3cr3t-path.jsonl");
    // Before: a ${file:…} value was marked sensitive, so the secret pass re-read the file's content
    // as variables: whoever writes the file could pull any stored secret into any field.
    env.put("OUT", "${secret:out_path}");
    String viaEnv = "secrets:\n  key: ${env:SLUICE_MASTER_KEY}\n" + BASE.formatted("${env:OUT}");
    try (LoadedConfig c = loader().load(List.of(file("env.yaml", viaEnv)))) {
      assertThat(pathOf(c)).isEqualTo("${secret:out_path}");
    }
    Files.writeString(dir.resolve("path.txt"), "${secret:out_path}");
    String viaFile = "secrets:\n  key: ${env:SLUICE_MASTER_KEY}\n" + BASE.formatted("${file:path.txt}");
    try (LoadedConfig c = loader().load(List.of(file("file.yaml", viaFile)))) {
      assertThat(pathOf(c)).isEqualTo("${secret:out_path}");
    }
  }

  @Test
  void secretsResolveThroughTheStoreAndNeverShowInMessages() throws Exception {
    env.put("SLUICE_MASTER_KEY", "correct horse battery staple");
    Secrets.open(shared.secrets().orElseThrow(), "correct horse battery staple".toCharArray())
        .put("out_path", "s3cr3t-path.jsonl");
    String yaml = "secrets:\n  key: ${env:SLUICE_MASTER_KEY}\n" + BASE.formatted("${secret:out_path}");
    try (LoadedConfig c = loader().load(List.of(file("a.yaml", yaml)))) {
      assertThat(pathOf(c)).isEqualTo("s3cr3t-path.jsonl");
    }
    assertThat(shared.secrets().orElseThrow().get("out_path").map(String::new).orElseThrow()).doesNotContain("s3cr3t");

    String missing = "secrets: { key: \"${env:SLUICE_MASTER_KEY}\" }\n" + BASE.formatted("${secret:nope}");
    assertThatThrownBy(() -> loader().load(List.of(file("b.yaml", missing))))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("b.yaml:6:11 /destinations/out/path: unresolved ${secret:nope}: no secret named 'nope' in the store (known: out_path)")
        .hasMessageNotContaining("s3cr3t");

    env.put("SLUICE_MASTER_KEY", "the wrong key entirely");
    assertThatThrownBy(() -> loader().load(List.of(file("c.yaml", yaml))))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("/secrets: the master key (secrets.key) is not the one the secrets of this store are"
            + " encrypted under")
        .hasMessageNotContaining("s3cr3t").hasMessageNotContaining("the wrong key entirely")
        .hasMessageNotContaining("correct horse");
  }

  /** A store with only the parts the engine needs: no secrets, users or stored configurations. */
  static final class MinimalStore implements Store {
    private final InMemoryStore state = new InMemoryStore();

    @Override
    public dev.sluice.store.CheckpointStore checkpoints() {
      return state.checkpoints();
    }

    @Override
    public dev.sluice.store.RunStore runs() {
      return state.runs();
    }

    @Override
    public dev.sluice.store.DeadLetterStore deadLetters() {
      return state.deadLetters();
    }

    @Override
    public String toString() {
      return "MinimalStore";
    }
  }

  @Test
  void aStoreWithoutSecretsRunsPipelinesButNamesItselfWhenASecretIsNeeded() throws Exception {
    StoreProvider minimal = new StoreProvider() {
      @Override
      public String type() {
        return "minimal";
      }

      @Override
      public Store create(PluginConfig config, PluginContext context) {
        return new MinimalStore();
      }
    };
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of(minimal));
    ConfigLoader minimalLoader = ConfigLoader.create(registry, env::get, Clock.systemUTC());
    Files.writeString(dir.resolve("in.jsonl"), "{\"id\":1}\n{\"id\":2}\n");
    String plain = BASE.replace("type: shared", "type: minimal").formatted(dir.resolve("out.jsonl"))
        .replace("orders.jsonl", dir.resolve("in.jsonl").toString());
    try (LoadedConfig c = minimalLoader.load(List.of(file("plain.yaml", plain)));
        Sluice sluice = Sluice.builder().definition(c.definition()).store(c.store()).build()) {
      assertThat(sluice.run("orders").delivered()).isEqualTo(2);
    }

    env.put("SLUICE_MASTER_KEY", "correct horse battery staple");
    String withSecret = "secrets: { key: \"${env:SLUICE_MASTER_KEY}\" }\n"
        + BASE.replace("type: shared", "type: minimal").formatted("${secret:out_path}");
    assertThatThrownBy(() -> minimalLoader.load(List.of(file("secret.yaml", withSecret))))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("/secrets: ${secret:…} values needs a store that keeps secrets, but the store"
            + " MinimalStore (dev.sluice.config.ConfigLoaderTest$MinimalStore) does not");
    assertThatThrownBy(() -> minimalLoader.openSecrets(List.of(file("secret.yaml", withSecret))))
        .isInstanceOf(MissingStoreCapabilityException.class)
        .hasMessageContaining("sluice secret needs a store that keeps secrets")
        .hasMessageContaining("MinimalStore");
  }

  @Test
  void aSecretWithoutAMasterKeyIsAProblem() throws Exception {
    assertThatThrownBy(() -> loader().load(List.of(file("a.yaml", BASE.formatted("${secret:x}")))))
        .hasMessageContaining("/secrets: secrets.key is not set");
  }

  @Test
  void laterFilesWinAndProblemsPointIntoTheFileThatWon() throws Exception {
    Path base = file("base.yaml", BASE.formatted("base.jsonl"));
    Path override = file("prod.yaml", """
        destinations:
          out:
            path: prod.jsonl
            delivery: { batchSize: 50 }
          extra: { type: log }
        pipelines:
          orders:
            rules:
              - to: [extra]
        """);
    try (LoadedConfig c = loader().load(List.of(base, override))) {
      assertThat(pathOf(c)).isEqualTo("prod.jsonl");
      assertThat(c.definition().destinations().get("out").spec().type()).as("merged, not replaced").isEqualTo("file");
      assertThat(c.definition().destinations().get("out").delivery().batchSize()).isEqualTo(50);
      assertThat(c.definition().pipelines().get("orders").rules()).as("lists are replaced")
          .singleElement().satisfies(r -> assertThat(r.targets()).containsExactly("extra"));
    }
    Path broken = file("broken.yaml", "destinations:\n  out:\n    path: 5\n");
    assertThat(loader().validate(List.of(base, broken))).extracting(ConfigProblem::toString)
        .containsExactly(broken + ":3:11 /destinations/out/path: expected a string, found an integer");
  }

  @Test
  void everyOptionHasItsDocumentedDefault() throws Exception {
    try (LoadedConfig c = loader().load(List.of(file("a.yaml", BASE.formatted("out.jsonl"))))) {
      Pipeline p = c.definition().pipelines().get("orders");
      assertThat(p.unmatched()).isEqualTo(UnmatchedPolicy.DROP);
      assertThat(p.onError()).isEqualTo(ErrorPolicy.DEAD_LETTER);
      assertThat(p.queueCapacity()).isEqualTo(1024);
      assertThat(p.queueBytes()).isEqualTo(64L << 20);
      assertThat(p.maxConcurrentRuns()).isEqualTo(4);
      assertThat(p.rules().get(0).name()).isEqualTo("rule-1");
      assertThat(p.rules().get(0).priority()).isZero();
      assertThat(p.rules().get(0).stop()).isFalse();
      DeliverySettings d = c.definition().destinations().get("out").delivery();
      assertThat(d).isEqualTo(DeliverySettings.defaults());
      assertThat(d.batchSize()).isEqualTo(500);
      assertThat(d.linger()).isEqualTo(Duration.ofMillis(200));
      assertThat(d.maxAttempts()).isEqualTo(5);
    }
    // the schema documents the same defaults
    ObjectNode schema = loader().schema();
    assertThat(schema.at("/$defs/delivery/properties/batchSize/default").asInt()).isEqualTo(500);
    assertThat(schema.at("/$defs/delivery/properties/linger/default").asText()).isEqualTo("200ms");
    assertThat(schema.at("/$defs/pipeline/properties/queueCapacity/default").asInt()).isEqualTo(1024);
    assertThat(schema.at("/$defs/pipeline/properties/queueBytes/default").asLong()).isEqualTo(64L << 20);
    assertThat(schema.at("/$defs/pipeline/properties/maxConcurrentRuns/default").asInt()).isEqualTo(4);
    assertThat(schema.at("/$defs/delivery/properties/bufferBytes/default").asLong()).isEqualTo(64L << 20);
    assertThat(schema.at("/$defs/destination/allOf/0/then/properties/mode/enum").toString()).contains("overwrite");
  }

  @Test
  void aPipelinesByteBoundAndConcurrentRunCapMapToTheBuilder() throws Exception {
    String yaml = BASE.formatted("out.jsonl") + "    queueBytes: 1048576\n    overlap: allow\n    maxConcurrentRuns: 2\n";
    try (LoadedConfig c = loader().load(List.of(file("limits.yaml", yaml)))) {
      Pipeline p = c.definition().pipelines().get("orders");
      assertThat(p.queueBytes()).isEqualTo(1 << 20);
      assertThat(p.maxConcurrentRuns()).isEqualTo(2);
      assertThat(p.overlap()).isEqualTo(dev.sluice.pipeline.OverlapPolicy.ALLOW);
    }
    assertThat(loader().validate(List.of(file("bad.yaml", BASE.formatted("out.jsonl") + "    maxConcurrentRuns: 5000\n"))))
        .extracting(ConfigProblem::toString).singleElement().asString()
        .contains("/pipelines/orders/maxConcurrentRuns").contains("got 5000");
  }

  @Test
  void theQuickstartConfigBuildsExactlyWhatTheQuickstartBuilderBuilds() throws Exception {
    Path yaml = Path.of("../examples/quickstart/sluice.yaml");
    SluiceDefinition fromFile;
    try (LoadedConfig c = loader().load(List.of(yaml))) {
      fromFile = c.definition();
    }
    SluiceDefinition fromBuilder = Sluice.builder()
        .destination("alerts", "file", Map.of("path", "out/alerts.jsonl", "mode", "append"))
        .destination("console", "log", Map.of("maxChars", 160))
        .destination("all-orders", "file", Map.of("path", "out/orders.csv", "mode", "append",
            "columns", List.of("id", "createdAt", "status", "channel", "currency", "amount")))
        .pipeline("orders", p -> p
            .description("Orders over 1000 go to an alerts file and the log; every order goes to a CSV.")
            .source("file", Map.of("path", "orders.jsonl", "key", "id"))
            .route(r -> r.name("big-orders").when("$.amount > 1000").to("alerts", "console"))
            .route(r -> r.name("every-order").to("all-orders")))
        .toDefinition();
    assertThat(fromFile).isEqualTo(fromBuilder);
  }

  @Test
  void aLoadedConfigRuns() throws Exception {
    Files.writeString(dir.resolve("orders.jsonl"), "{\"id\":1,\"amount\":5}\n{\"id\":2,\"amount\":5000}\n");
    Path yaml = file("run.yaml", """
        store: { type: memory }
        destinations:
          big: { type: file, path: %s }
        pipelines:
          orders:
            source: { type: file, path: %s, key: id }
            rules:
              - { name: big, when: "$.amount > 1000", to: big, transform: [ { set: { path: $.flag, value: true } } ] }
        """.formatted(dir.resolve("big.jsonl"), dir.resolve("orders.jsonl")));
    try (LoadedConfig c = loader().load(List.of(yaml)); Sluice sluice = c.builder().build()) {
      RunReport report = sluice.run("orders");
      assertThat(report.succeeded()).isTrue();
      assertThat(Files.readAllLines(dir.resolve("big.jsonl"))).containsExactly("{\"id\":2,\"amount\":5000,\"flag\":true}");
    }
  }

  @Test
  void definitionsCompareEqualOnlyWhenTheyAre() {
    DestinationDefinition a = new DestinationDefinition("x", PluginSpec.of("log", null), DeliverySettings.defaults());
    DestinationDefinition b = new DestinationDefinition("x", PluginSpec.of("log", null),
        DeliverySettings.builder().batchSize(7).build());
    assertThat(a).isNotEqualTo(b);
  }
}
