package dev.sluice.testkit;

import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;

/** The in-memory store offers every capability but clustering, and passes each contract. */
class InMemoryStoreContractTest extends StoreContract
    implements UserStoreContract, SecretStoreContract, PipelineStoreContract, ReplayCacheContract,
        AuthStateStoreContract, RoleStoreContract, AuditLogContract {

  @Override
  protected Store createStore() {
    return new InMemoryStore();
  }

  @Override
  protected Store openSecondInstance() {
    return store; // an in-memory store has no second instance on the same data
  }
}
