package dev.sluice.destinations.database;

import dev.sluice.jdbc.testing.MariaDbExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database destination passes the destination contract on MariaDB, per mode. */
class MariaDbDatabaseDestinationContractTest {
  @RegisterExtension static final MariaDbExtension MARIADB = new MariaDbExtension();

  private final String database = MARIADB.server().createDatabase();

  abstract class OnMariaDb extends DatabaseContractSupport {
    @Override
    int serverPort() {
      return MARIADB.server().port();
    }

    @Override
    String url(int port) {
      return MARIADB.server().jdbcUrl(port, database);
    }

    @Override
    String user() {
      return "root";
    }
  }

  @Nested
  class Insert extends OnMariaDb {
    @Override
    DatabaseDestination.Mode mode() {
      return DatabaseDestination.Mode.INSERT;
    }
  }

  @Nested
  class Upsert extends OnMariaDb {
    @Override
    DatabaseDestination.Mode mode() {
      return DatabaseDestination.Mode.UPSERT;
    }
  }
}
