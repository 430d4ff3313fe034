package dev.sluice.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.file.FileFormat;
import dev.sluice.destinations.file.FileDestination;
import dev.sluice.spi.Destination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** The built-in file destination passes the destination contract. */
class FileDestinationContractTest extends DestinationContract {
  @TempDir Path dir;
  private final ObjectMapper mapper = new ObjectMapper();

  private Path target() {
    return dir.resolve("sub/out.jsonl");
  }

  @Override
  protected Destination createDestination() {
    return new FileDestination("contract", target().toString(), FileFormat.JSONL,
        FileDestination.Mode.APPEND, List.of(), true, false, mapper, Clock.systemUTC());
  }

  @Override
  protected List<ObjectNode> readBack() throws Exception {
    List<ObjectNode> out = new ArrayList<>();
    if (Files.exists(target())) {
      for (String line : Files.readAllLines(target())) {
        out.add((ObjectNode) mapper.readTree(line));
      }
    }
    return out;
  }

  /**
   * Append mode writes a batch delivered twice twice: the file destination does not deduplicate
   * (it writes no idempotency key either unless metadata is on, and then only the record key).
   */
  @Override
  protected Redelivery redelivery() {
    return Redelivery.NOT_IDEMPOTENT;
  }

  @Override
  protected AutoCloseable simulateOutage() throws Exception {
    // A plain file where the target's directory should be: nothing can be written under it.
    Path blocker = target().getParent();
    Files.createDirectories(blocker.getParent());
    if (Files.isDirectory(blocker)) {
      throw new IllegalStateException("simulate the outage before the first delivery");
    }
    Files.writeString(blocker, "not a directory");
    return () -> Files.delete(blocker);
  }
}
