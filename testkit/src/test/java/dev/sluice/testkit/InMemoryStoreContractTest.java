package dev.sluice.testkit;

import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;

class InMemoryStoreContractTest extends StoreContract {

  @Override
  protected Store createStore() {
    return new InMemoryStore();
  }

  @Override
  protected Store openSecondInstance() {
    return store; // an in-memory store has no second instance on the same data
  }
}
