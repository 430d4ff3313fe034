package dev.sluice.testkit;

import dev.sluice.store.CheckpointStore;
import dev.sluice.store.DeadLetterStore;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunStore;
import dev.sluice.store.Store;

/**
 * A third-party store that keeps only what the engine needs (no secrets, users or stored
 * configurations) implements three methods and passes the store contract without the capability
 * contracts.
 */
class RequiredPartsOnlyStoreContractTest extends StoreContract {

  static final class RequiredPartsOnlyStore implements Store {
    private final InMemoryStore state = new InMemoryStore();

    @Override
    public CheckpointStore checkpoints() {
      return state.checkpoints();
    }

    @Override
    public RunStore runs() {
      return state.runs();
    }

    @Override
    public DeadLetterStore deadLetters() {
      return state.deadLetters();
    }
  }

  @Override
  protected Store createStore() {
    return new RequiredPartsOnlyStore();
  }

  @Override
  protected Store openSecondInstance() {
    return store;
  }
}
