package dev.sluice.jdbc;

import dev.sluice.jdbc.testing.MariaDbExtension;
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

/** The JDBC store on a real MariaDB server (MySQL dialect) passes the store contract. */
class MariaDbStoreContractTest extends StoreContract
    implements UserStoreContract, SecretStoreContract, PipelineStoreContract, ReplayCacheContract,
        AuthStateStoreContract, RoleStoreContract, AuditLogContract {
  @RegisterExtension static final MariaDbExtension MARIADB = new MariaDbExtension();

  private String url;

  @Override
  protected Store createStore() {
    url = MARIADB.server().jdbcUrl(MARIADB.server().createDatabase());
    return JdbcStore.open(JdbcStoreOptions.builder().url(url).username("root").build());
  }

  @Override
  protected Store openSecondInstance() {
    return JdbcStore.open(JdbcStoreOptions.builder().url(url).username("root").build());
  }
}
