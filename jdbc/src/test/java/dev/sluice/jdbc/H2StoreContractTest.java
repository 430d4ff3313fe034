package dev.sluice.jdbc;

import dev.sluice.store.Store;
import dev.sluice.testkit.AuditLogContract;
import dev.sluice.testkit.AuthStateStoreContract;
import dev.sluice.testkit.PipelineStoreContract;
import dev.sluice.testkit.ReplayCacheContract;
import dev.sluice.testkit.RoleStoreContract;
import dev.sluice.testkit.SecretStoreContract;
import dev.sluice.testkit.StoreContract;
import dev.sluice.testkit.UserStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The JDBC store on an embedded H2 file database passes the store contract. */
class H2StoreContractTest extends StoreContract
    implements UserStoreContract, SecretStoreContract, PipelineStoreContract, ReplayCacheContract,
        AuthStateStoreContract, RoleStoreContract, AuditLogContract {
  @TempDir Path dir;

  private JdbcStoreOptions options() {
    return JdbcStoreOptions.builder().url("jdbc:h2:file:" + dir.resolve("sluice")).build();
  }

  @Override
  protected Store createStore() {
    return JdbcStore.open(options());
  }

  @Override
  protected Store openSecondInstance() {
    return JdbcStore.open(options());
  }
}
