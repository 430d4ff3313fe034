package com.acme.sluice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.Destination;
import dev.sluice.testkit.DestinationContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's destination contract, run against a ledger in a temporary folder. */
class AcmeDestinationContractTest extends DestinationContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private Path folder() {
    return tmp.resolve("ledger");
  }

  private Path ledger() {
    return folder().resolve("acme.jsonl");
  }

  @Override
  protected Destination createDestination() throws Exception {
    Files.createDirectories(folder());
    return new AcmeDestination(ledger(), JSON);
  }

  @Override
  protected List<ObjectNode> readBack() throws Exception {
    return AcmeDestination.readLedger(ledger(), JSON);
  }

  /** The ledger's folder disappears and a plain file takes its name: writes fail, even for root. */
  @Override
  protected AutoCloseable simulateOutage() throws Exception {
    Files.createDirectories(folder());
    Path away = tmp.resolve("ledger-away");
    Files.move(folder(), away);
    Files.writeString(folder(), "not a folder");
    return () -> {
      Files.delete(folder());
      Files.move(away, folder());
    };
  }

  @Override
  protected Redelivery redelivery() {
    return Redelivery.DEDUPLICATED;
  }
}
