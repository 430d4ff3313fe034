package dev.sluice.jdbc;

import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.store.Store;
import dev.sluice.testkit.AuditLogContract;
import dev.sluice.testkit.AuthStateStoreContract;
import dev.sluice.testkit.PipelineStoreContract;
import dev.sluice.testkit.ReplayCacheContract;
import dev.sluice.testkit.RoleStoreContract;
import dev.sluice.testkit.SecretStoreContract;
import dev.sluice.testkit.StoreContract;
import dev.sluice.testkit.UserStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JDBC store on a real PostgreSQL server passes the store contract. */
class PostgresStoreContractTest extends StoreContract
    implements UserStoreContract, SecretStoreContract, PipelineStoreContract, ReplayCacheContract,
        AuthStateStoreContract, RoleStoreContract, AuditLogContract {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private String url;

  @Override
  protected Store createStore() {
    url = PG.server().jdbcUrl(PG.server().createDatabase());
    return JdbcStore.open(JdbcStoreOptions.builder().url(url).username("postgres").build());
  }

  @Override
  protected Store openSecondInstance() {
    return JdbcStore.open(JdbcStoreOptions.builder().url(url).username("postgres").build());
  }
}
