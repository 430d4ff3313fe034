package dev.sluice.destinations.database;

import java.sql.SQLException;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The database destination passes the destination contract on an H2 server, per mode. */
class H2DatabaseDestinationContractTest {
  static Server server;

  @BeforeAll
  static void startServer() throws SQLException {
    server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  abstract static class OnH2 extends DatabaseContractSupport {
    @Override
    int serverPort() {
      return server.getPort();
    }

    @Override
    String url(int port) {
      return "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:contract;DB_CLOSE_DELAY=-1";
    }

    @Override
    String user() {
      return "sa";
    }
  }

  @Nested
  class Insert extends OnH2 {
    @Override
    DatabaseDestination.Mode mode() {
      return DatabaseDestination.Mode.INSERT;
    }
  }

  @Nested
  class Upsert extends OnH2 {
    @Override
    DatabaseDestination.Mode mode() {
      return DatabaseDestination.Mode.UPSERT;
    }
  }
}
