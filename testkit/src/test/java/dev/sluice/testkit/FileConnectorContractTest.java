package dev.sluice.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.file.FileConnector;
import dev.sluice.connectors.file.FileFormat;
import dev.sluice.record.Checkpoint;
import dev.sluice.spi.Connector;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The built-in file connector passes the connector contract in each of its formats. */
class FileConnectorContractTest {

  static Checkpoint beyond(Checkpoint last) {
    ObjectNode state = (ObjectNode) last.state();
    state.put("records", state.get("records").asLong() + 1000);
    if (state.has("offset")) {
      state.put("offset", state.get("offset").asLong() + 100_000);
    }
    return Checkpoint.of(state);
  }

  @Nested
  class JsonLines extends ConnectorContract {
    @TempDir Path dir;

    @Override
    protected Connector createConnector() throws Exception {
      Path file = dir.resolve("orders.jsonl");
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= 10; i++) {
        sb.append("{\"id\":\"o-").append(i).append("\",\"amount\":").append(i * 100).append("}\n");
      }
      Files.writeString(file, sb);
      return new FileConnector(file, FileFormat.JSONL, "id", 3, ',', true, FileConnector.OnMalformed.DEAD_LETTER, new ObjectMapper());
    }

    @Override
    protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
      return beyond(last);
    }

    @Override
    protected Path dataLocation() {
      return dir;
    }
  }

  @Nested
  class Csv extends ConnectorContract {
    @TempDir Path dir;

    @Override
    protected Connector createConnector() throws Exception {
      Path file = dir.resolve("orders.csv");
      StringBuilder sb = new StringBuilder("id,amount,country\n");
      for (int i = 1; i <= 7; i++) {
        sb.append(i).append(',').append(i * 1.5).append(",DE\n");
      }
      Files.writeString(file, sb);
      return new FileConnector(file, FileFormat.CSV, null, 2, ',', true, FileConnector.OnMalformed.DEAD_LETTER, new ObjectMapper());
    }

    @Override
    protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
      return beyond(last);
    }

    @Override
    protected Path dataLocation() {
      return dir;
    }
  }

  @Nested
  class JsonArray extends ConnectorContract {
    @TempDir Path dir;

    @Override
    protected Connector createConnector() throws Exception {
      Path file = dir.resolve("orders.json");
      Files.writeString(file, "[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4},{\"id\":5}]");
      return new FileConnector(file, FileFormat.JSON, "id", 2, ',', true, FileConnector.OnMalformed.DEAD_LETTER, new ObjectMapper());
    }

    @Override
    protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
      return beyond(last);
    }

    @Override
    protected Path dataLocation() {
      return dir;
    }
  }
}
