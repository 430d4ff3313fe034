package dev.sluice.destinations.database;

import dev.sluice.jdbc.testing.PostgresExtension;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The database destination passes the destination contract on PostgreSQL, per mode. */
class PostgresDatabaseDestinationContractTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private final String database = PG.server().createDatabase();

  abstract class OnPostgres extends DatabaseContractSupport {
    @Override
    int serverPort() {
      return PG.server().port();
    }

    @Override
    String url(int port) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    String user() {
      return "postgres";
    }
  }

  @Nested
  class Insert extends OnPostgres {
    @Override
    DatabaseDestination.Mode mode() {
      return DatabaseDestination.Mode.INSERT;
    }
  }

  @Nested
  class Upsert extends OnPostgres {
    @Override
    DatabaseDestination.Mode mode() {
      return DatabaseDestination.Mode.UPSERT;
    }
  }

  @Nested
  class Copy extends OnPostgres {
    @Override
    DatabaseDestination.Mode mode() {
      return DatabaseDestination.Mode.COPY;
    }
  }
}
