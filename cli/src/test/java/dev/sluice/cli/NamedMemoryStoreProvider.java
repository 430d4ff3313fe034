package dev.sluice.cli;

import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.StoreProvider;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code store: { type: named-memory, jdbc: x }}: an in-memory store named by the {@code jdbc} option (handed over as {@code url})
 * (the one option the store section has besides the type) that outlives one command, so tests can
 * run several {@code sluice} commands against the same state, as with a database store.
 */
public final class NamedMemoryStoreProvider implements StoreProvider {
  static final Map<String, InMemoryStore> STORES = new ConcurrentHashMap<>();

  @Override
  public String type() {
    return "named-memory";
  }

  @Override
  public Store create(PluginConfig config, PluginContext context) {
    InMemoryStore shared = STORES.computeIfAbsent(config.string("url"), n -> new InMemoryStore());
    return new Store() { // closing a command's store must not lose the shared state
      public dev.sluice.store.CheckpointStore checkpoints() { return shared.checkpoints(); }
      public dev.sluice.store.RunStore runs() { return shared.runs(); }
      public dev.sluice.store.DeadLetterStore deadLetters() { return shared.deadLetters(); }
      public dev.sluice.store.UserStore users() { return shared.users(); }
      public dev.sluice.store.SecretStore secrets() { return shared.secrets(); }
      public dev.sluice.store.PipelineStore pipelines() { return shared.pipelines(); }
    };
  }
}
