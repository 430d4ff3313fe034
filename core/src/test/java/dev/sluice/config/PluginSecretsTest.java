package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Sluice;
import dev.sluice.auth.Secrets;
import dev.sluice.auth.WrongMasterKeyException;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.spi.StoreProvider;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins read and write named secrets through {@link PluginContext#secrets()}. */
class PluginSecretsTest {
  private static final String KEY = "correct horse battery staple";
  @TempDir Path dir;
  private final InMemoryStore shared = new InMemoryStore();
  private final Map<String, String> env = new HashMap<>(Map.of("SLUICE_MASTER_KEY", KEY));

  /** Reads secret 'greeting', stores 'visited', emits the greeting. */
  static final class SecretsUsingConnector implements ConnectorProvider {
    @Override
    public String type() {
      return "uses-secrets";
    }

    @Override
    public Connector create(PluginConfig config, PluginContext context) {
      PluginSecrets secrets = context.secrets();
      return (ctx, from, emitter) -> {
        String greeting = secrets.get("greeting").orElse("none");
        secrets.put("visited", "yes, by " + ctx.runId().length() + "-char run id");
        emitter.emit(Record.of("g", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("g", greeting)));
      };
    }
  }

  final class SharedStore implements StoreProvider {
    @Override
    public String type() {
      return "shared";
    }

    @Override
    public Store create(PluginConfig config, PluginContext context) {
      return shared;
    }
  }

  private LoadedConfig load(String secretsSection) throws Exception {
    Path f = dir.resolve("sluice.yaml");
    Files.writeString(f, secretsSection + """
        store: { type: shared }
        destinations: { out: { type: log } }
        pipelines:
          p:
            source: { type: uses-secrets }
            rules: [ { to: out } ]
        """);
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(),
        List.of(new SharedStore(), new SecretsUsingConnector()));
    return ConfigLoader.create(registry, env::get, Clock.systemUTC()).load(List.of(f));
  }

  @Test
  void aConnectorReadsAndWritesSecretsOfTheConfiguredStore() throws Exception {
    Secrets.open(shared.secrets().orElseThrow(), KEY.toCharArray()).put("greeting", "hello");
    try (LoadedConfig c = load("secrets: { key: \"${env:SLUICE_MASTER_KEY}\" }\n");
        Sluice sluice = c.builder().build()) {
      RunReport report = sluice.run("p");
      assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    }
    Secrets reopened = Secrets.open(shared.secrets().orElseThrow(), KEY.toCharArray());
    assertThat(reopened.get("visited")).hasValueSatisfying(v -> assertThat(v).startsWith("yes, by"));
  }

  @Test
  void withoutAMasterKeyTheRunFailsSayingHowToConfigureSecrets() throws Exception {
    try (LoadedConfig c = load(""); Sluice sluice = c.builder().build()) {
      RunReport report = sluice.run("p");
      assertThat(report.status()).isEqualTo(RunStatus.FAILED);
      assertThat(report.error()).hasValueSatisfying(e -> assertThat(e)
          .contains("secret 'greeting' is needed but no secrets are configured").contains("secrets: { key:"));
    }
  }

  @Test
  void theKeyIsDerivedOnFirstUseSoAWrongKeyFailsOnlyWhenASecretIsNeeded() throws Exception {
    Secrets.open(shared.secrets().orElseThrow(), KEY.toCharArray()).put("greeting", "hello");
    env.put("SLUICE_MASTER_KEY", "not the key at all");
    try (LoadedConfig c = load("secrets: { key: \"${env:SLUICE_MASTER_KEY}\" }\n")) {
      assertThatThrownBy(() -> c.secrets().get("greeting")).isInstanceOf(WrongMasterKeyException.class);
    }
  }
}
