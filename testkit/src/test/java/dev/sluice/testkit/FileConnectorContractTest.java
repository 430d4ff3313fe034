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

  /** One format: a file written into a fresh folder, read with a small checkpoint interval. */
  abstract static class Format extends ConnectorContract {
    @TempDir Path dir;
    private final String fileName;
    private final FileFormat format;
    private final String key;
    private final int checkpointEvery;

    Format(String fileName, FileFormat format, String key, int checkpointEvery) {
      this.fileName = fileName;
      this.format = format;
      this.key = key;
      this.checkpointEvery = checkpointEvery;
    }

    abstract String content();

    @Override
    protected Connector createConnector() throws Exception {
      Path file = dir.resolve(fileName);
      Files.writeString(file, content());
      return new FileConnector(file, format, key, checkpointEvery, ',', true, FileConnector.OnMalformed.DEAD_LETTER,
          new ObjectMapper());
    }

    /** Far past the end: more records than the file has, and an offset past its size. */
    @Override
    protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
      ObjectNode state = (ObjectNode) last.state();
      state.put("records", state.get("records").asLong() + 1000);
      if (state.has("offset")) {
        state.put("offset", state.get("offset").asLong() + 100_000);
      }
      return Checkpoint.of(state);
    }

    @Override
    protected Path dataLocation() {
      return dir;
    }
  }

  @Nested
  class JsonLines extends Format {
    JsonLines() {
      super("orders.jsonl", FileFormat.JSONL, "id", 3);
    }

    @Override
    String content() {
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= 10; i++) {
        sb.append("{\"id\":\"o-").append(i).append("\",\"amount\":").append(i * 100).append("}\n");
      }
      return sb.toString();
    }
  }

  @Nested
  class Csv extends Format {
    Csv() {
      super("orders.csv", FileFormat.CSV, null, 2);
    }

    @Override
    String content() {
      StringBuilder sb = new StringBuilder("id,amount,country\n");
      for (int i = 1; i <= 7; i++) {
        sb.append(i).append(',').append(i * 1.5).append(",DE\n");
      }
      return sb.toString();
    }
  }

  @Nested
  class JsonArray extends Format {
    JsonArray() {
      super("orders.json", FileFormat.JSON, "id", 2);
    }

    @Override
    String content() {
      return "[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4},{\"id\":5}]";
    }
  }
}
