package dev.sluice.server;

import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The REST API on the JDBC store over a real (embedded) PostgreSQL server, as in production. */
class PostgresRestApiTest extends RestApiContract {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @Override
  protected Store createStore(Path dir) {
    String url = PG.server().jdbcUrl(PG.server().createDatabase());
    return JdbcStore.open(JdbcStoreOptions.builder().url(url).username("postgres").build());
  }
}
