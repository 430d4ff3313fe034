package dev.sluice.server;

import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.store.Store;
import java.nio.file.Path;

/** The REST API on the JDBC store over an embedded H2 database. */
class H2RestApiTest extends RestApiContract {
  @Override
  protected Store createStore(Path dir) {
    return JdbcStore.open(JdbcStoreOptions.builder().url("jdbc:h2:file:" + dir.resolve("sluice")).build());
  }
}
